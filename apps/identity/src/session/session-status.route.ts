import express, { type Express } from 'express';
import { ROUTER_SECRET_HEADER, bearerToken, isRouterSecret, type AccessTokenVerifier } from '@compliance-graph/auth';
import type { Logger } from '@compliance-graph/config';
import type { SessionService } from './session.service';

export const SESSION_STATUS_PATH = '/internal/session-status';

/**
 * Asked by the gateway for every request (cached there for seconds): does the session of this
 * token still stand, with this role? Only the gateway may ask (router secret); the answer is
 * a plain yes or no, never why.
 */
export function mountSessionStatus(app: Express, options: {
  routerSecret: string;
  verifyAccessToken: AccessTokenVerifier;
  sessions: SessionService;
  logger: Logger;
}): void {
  app.post(SESSION_STATUS_PATH, express.json({ limit: 1024 }), async (req, res) => {
    if (!isRouterSecret(req.headers[ROUTER_SECRET_HEADER], options.routerSecret)) {
      res.status(403).json({ error: { code: 'FORBIDDEN', message: 'Only the gateway may ask' } });
      return;
    }
    try {
      const token = bearerToken(typeof req.headers.authorization === 'string' ? req.headers.authorization : undefined);
      const principal = token ? await options.verifyAccessToken(token) : undefined;
      res.json({ active: principal ? await options.sessions.isLive(principal) : false });
    } catch (error) {
      if ((error as { code?: string }).code === 'UNAUTHENTICATED') {
        res.json({ active: false });
        return;
      }
      options.logger.error('session status failed', { error });
      res.status(500).json({ error: { code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' } });
    }
  });
}
