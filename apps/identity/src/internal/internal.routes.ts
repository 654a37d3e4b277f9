import express, { type Express, type Request, type Response } from 'express';
import {
  CodedError,
  ROUTER_SECRET_HEADER,
  bearerToken,
  httpErrorBody,
  isRouterSecret,
  type AccessTokenVerifier,
  type Principal,
} from '@compliance-graph/auth';
import type { Logger } from '@compliance-graph/config';
import type { IssuedAccessToken } from '../session/token-issuer';

export const SESSION_STATUS_PATH = '/internal/session-status';
export const API_KEY_EXCHANGE_PATH = '/internal/api-keys/exchange';

export interface InternalRoutesOptions {
  routerSecret: string;
  verifyAccessToken: AccessTokenVerifier;
  /** Whether the principal's session, API key or support session still stands with its role. */
  isLive(principal: Principal): Promise<boolean>;
  exchangeApiKey(key: string): Promise<IssuedAccessToken>;
  logger: Logger;
}

const authorization = (req: Request) => bearerToken(typeof req.headers.authorization === 'string' ? req.headers.authorization : undefined);

/**
 * What only the gateway may ask (router secret): whether a token's session still stands (for
 * every request, cached there for seconds) and an access token for an API key (at the edge).
 */
export function mountInternalRoutes(app: Express, options: InternalRoutesOptions): void {
  const gatewayOnly = (handler: (req: Request, res: Response) => Promise<void>) => async (req: Request, res: Response) => {
    if (!isRouterSecret(req.headers[ROUTER_SECRET_HEADER], options.routerSecret)) {
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
}
