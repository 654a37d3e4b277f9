import { bearerToken, type AccessTokenVerifier, type Principal } from '@compliance-graph/auth';

export interface EdgeCredentials {
  /** The bearer token, forwarded unchanged to the subgraphs. */
  token?: string;
  principal?: Principal;
}

/**
 * Checks the Authorization header before any planning or proxying: a missing header is an
 * anonymous request, a malformed, forged or expired one is refused here with UNAUTHENTICATED.
 */
export async function authenticateAtEdge(
  authorization: string | undefined,
  verify: AccessTokenVerifier,
): Promise<EdgeCredentials> {
  const token = bearerToken(authorization);
  if (!token) return {};
  return { token, principal: await verify(token) };
}
