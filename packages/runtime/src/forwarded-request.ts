import type { IncomingMessage } from 'node:http';
import {
  ROUTER_SECRET_HEADER,
  bearerToken,
  forbidden,
  matchesSecret,
  mfaRequired,
  unauthenticated,
  type AccessTokenVerifier,
  type Principal,
} from '@compliance-graph/auth';

export const REQUEST_ID_HEADER = 'x-request-id';
const REQUEST_ID = /^[A-Za-z0-9-]{8,64}$/;

/** What the gateway forwards with a request: the caller's token (verified here), its client and the request id. */
export interface ForwardedRequest {
  principal?: Principal;
  clientIp?: string | null;
  userAgent?: string | null;
  requestId?: string;
}

const header = (value: string | string[] | undefined) => (typeof value === 'string' ? value : undefined);

/** The request id the gateway sent, when well-formed. */
export function forwardedRequestId(req: Pick<IncomingMessage, 'headers'>): string | undefined {
  const requestId = header(req.headers[REQUEST_ID_HEADER]);
  return requestId && REQUEST_ID.test(requestId) ? requestId : undefined;
}

/**
 * Reads a request the gateway forwarded, for /graphql and a service's own HTTP routes alike:
 * the principal of its bearer token (a bad token throws its coded error; no token, none), the
 * client address the gateway put first in X-Forwarded-For, the user agent and a well-formed
 * request id. Whether it came from the gateway at all is the caller's check (router secret).
 */
export async function forwardedRequest(req: Pick<IncomingMessage, 'headers'>, verifyAccessToken: AccessTokenVerifier): Promise<ForwardedRequest> {
  const token = bearerToken(header(req.headers.authorization));
  return {
    principal: token ? await verifyAccessToken(token) : undefined,
    clientIp: header(req.headers['x-forwarded-for'])?.split(',')[0]?.trim() || null,
    userAgent: header(req.headers['user-agent']) ?? null,
    requestId: forwardedRequestId(req),
  };
}

/**
 * A service route's caller: the request came through the gateway (router secret, otherwise
 * FORBIDDEN with `refusal`) with a valid token (UNAUTHENTICATED) of a full, MFA-complete session
 * (MFA_REQUIRED). Which principals the route serves is the route's own check.
 */
export async function gatewayCaller(
  req: IncomingMessage,
  guard: { routerSecret: string; verifyAccessToken: AccessTokenVerifier; refusal: string },
): Promise<ForwardedRequest & { principal: Principal }> {
  if (!matchesSecret(req.headers[ROUTER_SECRET_HEADER], guard.routerSecret)) throw forbidden(guard.refusal);
  const forwarded = await forwardedRequest(req, guard.verifyAccessToken);
  const { principal } = forwarded;
  if (!principal) throw unauthenticated();
  if (principal.scope !== 'full') throw mfaRequired();
  return { ...forwarded, principal };
}
