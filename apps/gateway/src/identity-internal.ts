import { ROUTER_SECRET_HEADER, internalError, unauthenticated } from '@compliance-graph/auth';

/**
 * Calls one of identity's gateway-only routes with a credential as bearer. A 401 from identity
 * is the credential's fault (UNAUTHENTICATED); anything else unexpected fails closed.
 */
export async function askIdentity<T>(identityUrl: string, path: string, bearer: string, routerSecret: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${identityUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, [ROUTER_SECRET_HEADER]: routerSecret, 'content-type': 'application/json' },
      body: JSON.stringify(body ?? {}),
      signal: AbortSignal.timeout(3000),
    });
  } catch {
    throw internalError();
  }
  if (response.status === 401) throw unauthenticated('Invalid, expired or revoked credentials');
  if (!response.ok) throw internalError();
  return (response.status === 204 ? undefined : await response.json()) as T;
}
