import express, { type Express, type NextFunction, type Request, type RequestHandler } from 'express';
import type { z } from 'zod';
import { CodedError, ErrorCode, ROUTER_SECRET_HEADER, badUserInput, bearerToken, forbidden, matchesSecret, sendHttpError, unauthenticated } from '@compliance-graph/auth';
import type { Logger } from '@compliance-graph/config';
import type { InternalApi } from './api';

/** What a handler gets: the parsed body and the bearer credential, if one was sent. */
export interface InternalRequest<Body> {
  body: Body;
  bearer: string | undefined;
  /** Who the guard admitted: `gateway`, or the producing service for a service credential. */
  caller: string;
}

/** Decides who may call; answers the caller's name, or throws a CodedError. */
export type InternalGuard = (req: Request) => string;

/** Only the gateway, which proves itself with the router secret. */
export const onlyTheGateway =
  (routerSecret: string): InternalGuard =>
  (req) => {
    if (!matchesSecret(req.headers[ROUTER_SECRET_HEADER], routerSecret)) throw forbidden('Only the gateway may ask');
    return 'gateway';
  };

/** Only a service presenting its own credential as bearer; answers which service it is. */
export const onlyServiceCredentials =
  (credentials: Record<string, string>): InternalGuard =>
  (req) => {
    const presented = bearerOf(req);
    const service = Object.entries(credentials).find(([, credential]) => matchesSecret(presented, credential))?.[0];
    if (!service) throw unauthenticated('Service credential required');
    return service;
  };

function bearerOf(req: Request): string | undefined {
  try {
    return bearerToken(typeof req.headers.authorization === 'string' ? req.headers.authorization : undefined);
  } catch {
    return undefined;
  }
}

/**
 * Mounts one internal API: the guard first, then the body (within the API's limit, parsed
 * with its request schema: a bad one is 400 BAD_USER_INPUT naming the field), then the
 * handler, whose answer is checked against the response schema before it is sent. Coded errors
 * answer with their status; anything else is logged and answers 500 without details.
 */
export function mountInternalApi<Request extends z.ZodType, Response extends z.ZodType | undefined>(
  app: Express,
  api: InternalApi<Request, Response>,
  options: { guard: InternalGuard; logger: Logger },
  handler: (request: InternalRequest<z.output<Request>>) => Promise<Response extends z.ZodType ? z.input<Response> : void>,
): void {
  const admit: RequestHandler = (req, res, next) => {
    try {
      res.locals.caller = options.guard(req);
      next();
    } catch (error) {
      if (error instanceof CodedError) sendHttpError(res, error);
      else next(error);
    }
  };
  app.post(api.path, admit, express.json({ limit: api.bodyLimitBytes }), async (req, res, next: NextFunction) => {
    try {
      const parsed = api.request.safeParse(req.body ?? {});
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw badUserInput(`${issue.path.join('.') || 'body'}: ${issue.message}`);
      }
      const answer = await handler({ body: parsed.data, bearer: bearerOf(req), caller: res.locals.caller as string });
      if (api.response === undefined) res.status(204).end();
      else res.json(api.response.parse(answer));
    } catch (error) {
      if (error instanceof CodedError && error.code !== ErrorCode.INTERNAL_SERVER_ERROR) {
        sendHttpError(res, error);
        return;
      }
      options.logger.error({ path: req.path, error }, 'internal route failed');
      next(error);
    }
  });
}
