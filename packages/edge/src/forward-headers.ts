import { ROUTER_SECRET_HEADER } from '@compliance-graph/auth';
import { REQUEST_ID_HEADER } from '@compliance-graph/runtime';

export interface ForwardedRequest {
  token?: string;
  clientIp: string;
  userAgent?: string;
  requestId: string;
}

/**
 * What the gateway tells a subgraph about a request: the caller's token unchanged, the
 * router secret that proves the request came through here, and the client address and user
 * agent as the gateway determined them (the client's own X-Forwarded-For is never relayed).
 */
export function forwardHeaders(request: ForwardedRequest, routerSecret: string): Record<string, string> {
  const headers: Record<string, string> = {
    [ROUTER_SECRET_HEADER]: routerSecret,
    [REQUEST_ID_HEADER]: request.requestId,
    'x-forwarded-for': request.clientIp,
  };
  if (request.token) headers.authorization = `Bearer ${request.token}`;
  if (request.userAgent) headers['user-agent'] = request.userAgent;
  return headers;
}
