import express, { type Express, type Request, type Response } from 'express';
import {
  CodedError,
  ROUTER_SECRET_HEADER,
  bearerToken,
  httpErrorBody,
  matchesSecret,
  type AccessTokenVerifier,
  type Principal,
} from '@compliance-graph/auth';
import type { Logger } from '@compliance-graph/config';
import type { Caller } from '@compliance-graph/outbox';
import type { IssuedAccessToken } from '../session/token-issuer';

export const SESSION_STATUS_PATH = '/internal/session-status';
export const API_KEY_EXCHANGE_PATH = '/internal/api-keys/exchange';
export const SUPPORT_REQUEST_PATH = '/internal/support-requests';

export interface InternalRoutesOptions {
  routerSecret: string;
  verifyAccessToken: AccessTokenVerifier;
  /** Whether the principal's session, API key or support session still stands with its role. */
  isLive(principal: Principal): Promise<boolean>;
  exchangeApiKey(key: string): Promise<IssuedAccessToken>;
  recordSupportRequest(principal: Principal, caller: Caller, request: { operation: string; documentHash: string | null }): Promise<void>;
  logger: Logger;
}

const authorization = (req: Request) => bearerToken(typeof req.headers.authorization === 'string' ? req.headers.authorization : undefined);

/**
 * What only the gateway may ask (router secret): whether a token's session still stands (for
 * every request, cached there for seconds), an access token for an API key (at the edge), and
 * the record of a request a support session made (before it runs).
 */
export function mountInternalRoutes(app: Express, options: InternalRoutesOptions): void {
  const gatewayOnly = (handler: (req: Request, res: Response) => Promise<void>) => async (req: Request, res: Response) => {
    if (!matchesSecret(req.headers[ROUTER_SECRET_HEADER], options.routerSecret)) {
      res.status(403).json({ error: { code: 'FORBIDDEN', message: 'Only the gateway may ask' } });
      return;
    }
    try {
      await handler(req, res);
    } catch (error) {
      if (error instanceof CodedError) {
        res.status(error.httpStatus).json(httpErrorBody(error));
        return;
      }
      options.logger.error('internal route failed', { path: req.path, error });
      res.status(500).json({ error: { code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' } });
    }
  };

  app.post(
    SESSION_STATUS_PATH,
    express.json({ limit: 1024 }),
    gatewayOnly(async (req, res) => {
      const token = authorization(req);
      const principal = token ? await options.verifyAccessToken(token).catch(() => undefined) : undefined;
      res.json({ active: principal ? await options.isLive(principal) : false });
    }),
  );

  app.post(
    API_KEY_EXCHANGE_PATH,
    express.json({ limit: 1024 }),
    gatewayOnly(async (req, res) => {
      const issued = await options.exchangeApiKey(authorization(req) ?? '');
      res.json({ accessToken: issued.token, expiresAt: issued.expiresAt.toISOString() });
    }),
  );

  app.post(
    SUPPORT_REQUEST_PATH,
    express.json({ limit: 4096 }),
    gatewayOnly(async (req, res) => {
      const principal = await options.verifyAccessToken(authorization(req) ?? '');
      const body = (req.body ?? {}) as Record<string, unknown>;
      const text = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value.slice(0, 500) : null);
      await options.recordSupportRequest(
        principal,
        { principal, clientIp: text(body.clientIp), userAgent: text(body.userAgent) },
        { operation: text(body.operation) ?? 'anonymous operation', documentHash: text(body.documentHash) },
      );
      res.status(204).end();
    }),
  );
}
