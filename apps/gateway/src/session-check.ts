import { unauthenticated, type Principal } from '@compliance-graph/auth';
import { askIdentity } from './identity-internal';

const SESSION_STATUS_PATH = '/internal/session-status';
const PRUNE_ABOVE = 10_000;

/**
 * Refuses tokens whose session identity no longer stands (revoked session, membership or key,
 * changed role, password changed), asking identity and remembering the answer for at most
 * `ttlMs`, so a revocation bites within that time. If identity cannot answer, the request
 * fails closed.
 */
export class SessionCheck {
  private readonly answers = new Map<string, { live: boolean; until: number }>();

  constructor(
    private readonly identityUrl: string,
    private readonly routerSecret: string,
    private readonly ttlMs: number,
  ) {}

  async assertLive(token: string, principal: Principal): Promise<void> {
    const key = `${principal.sessionId}|${principal.subjectId}|${principal.role}|${principal.scope}`;
    const now = Date.now();
    let answer = this.answers.get(key);
    if (!answer || answer.until <= now) {
      answer = { live: await this.ask(token), until: now + this.ttlMs };
      this.remember(key, answer, now);
    }
    if (!answer.live) throw unauthenticated('Session ended or role changed: sign in again or refresh');
  }

  private async ask(token: string): Promise<boolean> {
    const answer = await askIdentity<{ active?: unknown }>(this.identityUrl, SESSION_STATUS_PATH, token, this.routerSecret);
    return answer.active === true;
  }

  private remember(key: string, answer: { live: boolean; until: number }, now: number): void {
    if (this.answers.size > PRUNE_ABOVE) {
      for (const [k, v] of this.answers) if (v.until <= now) this.answers.delete(k);
    }
    this.answers.set(key, answer);
  }
}
