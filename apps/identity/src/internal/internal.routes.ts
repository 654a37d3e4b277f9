import type { Express } from 'express';
import type { AccessTokenVerifier, Principal } from '@compliance-graph/auth';
import type { Logger } from '@compliance-graph/config';
import { API_KEY_EXCHANGE, SESSION_STATUS, SUPPORT_REQUEST, mountInternalApi, onlyTheGateway } from '@compliance-graph/internal-api';
import type { Caller } from '@compliance-graph/outbox';
import type { IssuedAccessToken } from '../session/token-issuer';

export interface InternalRoutesOptions {
  routerSecret: string;
  verifyAccessToken: AccessTokenVerifier;
  /** Whether the principal's session, API key or support session still stands with its role. */
  isLive(principal: Principal): Promise<boolean>;
  exchangeApiKey(key: string): Promise<IssuedAccessToken>;
  recordSupportRequest(principal: Principal, caller: Caller, request: { operation: string; documentHash: string | null }): Promise<void>;
  logger: Logger;
}

/**
 * What only the gateway may ask (router secret): whether a token's session still stands (for
 * every request, cached there for seconds), an access token for an API key (at the edge), and
 * the record of a request a support session made (before it runs).
 */
export function mountInternalRoutes(app: Express, options: InternalRoutesOptions): void {
  const gatewayOnly = { guard: onlyTheGateway(options.routerSecret), logger: options.logger };

  mountInternalApi(app, SESSION_STATUS, gatewayOnly, async ({ bearer }) => {
    const principal = bearer ? await options.verifyAccessToken(bearer).catch(() => undefined) : undefined;
    return { active: principal ? await options.isLive(principal) : false };
  });

  mountInternalApi(app, API_KEY_EXCHANGE, gatewayOnly, async ({ bearer }) => {
    const issued = await options.exchangeApiKey(bearer ?? '');
    return { accessToken: issued.token, expiresAt: issued.expiresAt.toISOString() };
  });

  mountInternalApi(app, SUPPORT_REQUEST, gatewayOnly, async ({ bearer, body }) => {
    const principal = await options.verifyAccessToken(bearer ?? '');
    await options.recordSupportRequest(
      principal,
      { principal, clientIp: body.clientIp, userAgent: body.userAgent },
      { operation: body.operation, documentHash: body.documentHash },
    );
  });
}
