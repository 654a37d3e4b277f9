import { LRUCache } from 'lru-cache';
import { unauthenticated, type Principal } from '@compliance-graph/auth';
import { SESSION_STATUS, callInternalApi } from '@compliance-graph/internal-api';
/** Sessions whose answer is remembered at once; the least recently used go first. */
const MAX_SESSIONS = 10_000;

/**
 * Refuses tokens whose session identity no longer stands (revoked session, membership or key,
 * changed role, password changed), asking identity and remembering the answer for at most
 * `ttlMs`, so a revocation bites within that time (0: ask every time). Concurrent requests of
 * one session share one question: when the answer expires under load, identity is asked once,
 * not once per request. If identity cannot answer, the request fails closed and nothing is kept.
 */
export class SessionCheck {
  private readonly answers: LRUCache<string, { live: boolean }, string>;

  constructor(
    identityUrl: string,
    routerSecret: string,
    private readonly ttlMs: number,
  ) {
    this.answers = new LRUCache({
      max: MAX_SESSIONS,
      // lru-cache reads a TTL of 0 as "forever"; ttlMs 0 is served by forceRefresh instead.
      ttl: Math.max(1, ttlMs),
      fetchMethod: async (_key, _stale, { context: token }) => {
        const { active } = await callInternalApi(identityUrl, SESSION_STATUS, { bearer: token, routerSecret });
        return { live: active };
      },
    });
  }

  async assertLive(token: string, principal: Principal): Promise<void> {
    const key = `${principal.sessionId}|${principal.subjectId}|${principal.role}|${principal.scope}`;
    const answer = await this.answers.fetch(key, { context: token, forceRefresh: this.ttlMs === 0 });
    if (!answer?.live) throw unauthenticated('Session ended or role changed: sign in again or refresh');
  }
}
