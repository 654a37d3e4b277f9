import { bearerToken, type AccessTokenVerifier, type Principal } from '@compliance-graph/auth';
import type { SessionCheck } from './session-check';

export interface EdgeCredentials {
  /** The bearer token, forwarded unchanged to the subgraphs. */
  token?: string;
  principal?: Principal;
}

export interface EdgeAuthentication {
  verifyAccessToken: AccessTokenVerifier;
  sessions: SessionCheck;
}

/**
 * Checks the Authorization header before any planning or proxying: a missing header is an
 * anonymous request; a malformed, forged or expired token, or one whose session no longer
 * stands, is refused here with UNAUTHENTICATED.
 */
export async function authenticateAtEdge(authorization: string | undefined, edge: EdgeAuthentication): Promise<EdgeCredentials> {
  const token = bearerToken(authorization);
  if (!token) return {};
  const principal = await edge.verifyAccessToken(token);
  await edge.sessions.assertLive(token, principal);
  return { token, principal };
}
