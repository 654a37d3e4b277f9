import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { rateLimited } from '@compliance-graph/auth';
import { clearCounters, giveBackAttempt, reserveAttempt } from './login-throttle.store';

export interface ThrottleLimits {
  accountLimit: number;
  addressLimit: number;
  userLimit: number;
  signUpAddressLimit: number;
  windowSeconds: number;
  baseBlockSeconds: number;
}

export interface Counter {
  key: string;
  limit: number;
  /** Cleared by a success (the account and the user); others are shared and only given back. */
  clearedOnSuccess: boolean;
}

const hashed = (kind: string, value: string) => `${kind}:${createHash('sha256').update(value).digest('hex')}`;

/**
 * Counts attempts to prove a password, a TOTP code or a recovery code: per submitted tenant
 * slug + email (whether or not the account exists, so the answer never reveals it), per user
 * (by user id, which stands for one normalised email: across every tenant and every path that
 * checks a secret, since a password is global) and per client address. Past a limit within the window, each key is
 * blocked for a growing interval (base, doubling per further attempt, capped at the window).
 * An attempt is reserved atomically before the secret is checked, so parallel guesses cannot
 * all pass a check made before any of them is counted. The counters live outside any tenant.
 */
export class LoginThrottle {
  constructor(
    private readonly db: DataSource,
    private readonly limits: ThrottleLimits,
  ) {}

  /**
   * The counters of an attempt: the account (tenant slug + email) when a login names one, the
   * user when one is known (a user id stands for one normalised email in every tenant), the address.
   */
  counters(clientIp: string | null, subject: { tenantSlug?: string; email?: string; userId?: string | null }): Counter[] {
    const counters: Counter[] = [];
    if (subject.tenantSlug !== undefined && subject.email !== undefined) {
      counters.push({ key: hashed('account', `${subject.tenantSlug}\n${subject.email}`), limit: this.limits.accountLimit, clearedOnSuccess: true });
    }
    if (subject.userId) counters.push({ key: hashed('user', subject.userId), limit: this.limits.userLimit, clearedOnSuccess: true });
    if (clientIp) counters.push({ key: hashed('address', clientIp), limit: this.limits.addressLimit, clearedOnSuccess: false });
    return counters;
  }

  /** Sign-ups per client address: each one hashes a password and says whether an email is taken. */
  signUpCounters(clientIp: string | null): Counter[] {
    return clientIp ? [{ key: hashed('signup', clientIp), limit: this.limits.signUpAddressLimit, clearedOnSuccess: false }] : [];
  }

  /**
   * Counts one attempt on every counter before the secret is checked, or refuses with
   * RATE_LIMITED (and how long to wait) when a counter is blocked; the attempt that reaches a
   * limit blocks the ones after it. Atomic per counter.
   */
  async reserve(counters: Counter[]): Promise<void> {
    if (counters.length === 0) return;
    const sorted = [...counters].sort((a, b) => (a.key < b.key ? -1 : 1));
    const wait = await reserveAttempt(this.db, sorted, this.limits.windowSeconds, this.limits.baseBlockSeconds);
    if (wait > 0) throw rateLimited(wait);
  }

  /**
   * The secret was right: the account and user counters start over; the attempt is given back
   * to the shared ones (an address's block stands only for its failures).
   */
  async recordSuccess(counters: Counter[]): Promise<void> {
    const cleared = counters.filter((c) => c.clearedOnSuccess).map((c) => c.key);
    const shared = counters.filter((c) => !c.clearedOnSuccess);
    if (cleared.length > 0) await clearCounters(this.db, cleared);
    for (const counter of shared) await giveBackAttempt(this.db, counter);
  }
}
