import { bearerToken, type AccessTokenVerifier, type Principal } from '@compliance-graph/auth';
import { isApiKey, type ApiKeyExchange } from './api-key-exchange';
import type { SessionCheck } from './session-check';
import type { SupportRequestLog } from './support-request-log';

export interface EdgeCredentials {
  /** The access token forwarded to the subgraphs (for an API key, the one it was exchanged for). */
  token?: string;
  principal?: Principal;
}

export interface EdgeAuthentication {
  verifyAccessToken: AccessTokenVerifier;
  sessions: SessionCheck;
  apiKeys: ApiKeyExchange;
  supportRequests: SupportRequestLog;
}

/**
 * Checks the Authorization header before any planning or proxying: a missing header is an
 * anonymous request; an API key is exchanged for an access token; a malformed, forged or
 * expired token, or one whose session or key no longer stands, is refused with UNAUTHENTICATED.
 */
export async function authenticateAtEdge(authorization: string | undefined, edge: EdgeAuthentication): Promise<EdgeCredentials> {
  const presented = bearerToken(authorization);
  if (!presented) return {};
  const token = isApiKey(presented) ? await edge.apiKeys.exchange(presented) : presented;
  const principal = await edge.verifyAccessToken(token);
  await edge.sessions.assertLive(token, principal);
  return { token, principal };
}
