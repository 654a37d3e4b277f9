import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { rateLimited } from '@compliance-graph/auth';

export interface ThrottleLimits {
  accountLimit: number;
  addressLimit: number;
  windowSeconds: number;
  baseBlockSeconds: number;
}

interface Counter {
  key: string;
  limit: number;
}

const hashed = (kind: string, value: string) => `${kind}:${createHash('sha256').update(value).digest('hex')}`;

/**
 * Counts failed logins per submitted tenant slug + email (whether or not the account exists,
 * so the answer never reveals it) and per client address. Past a limit within the window,
 * each key is blocked for a growing interval (base, doubling per further failure, capped at
 * the window). The counters live outside any tenant: a failed login changes no tenant data.
 */
export class LoginThrottle {
  constructor(
    private readonly db: DataSource,
    private readonly limits: ThrottleLimits,
  ) {}

  counters(tenantSlug: string, email: string, clientIp: string | null): Counter[] {
    const counters = [{ key: hashed('account', `${tenantSlug}\n${email}`), limit: this.limits.accountLimit }];
    if (clientIp) counters.push({ key: hashed('address', clientIp), limit: this.limits.addressLimit });
    return counters;
  }

  /** Refuses with RATE_LIMITED (and how long to wait) while any counter is blocked. */
  async assertAllowed(counters: Counter[]): Promise<void> {
    const rows: Array<{ wait: number }> = await this.db.query(
      `SELECT ceil(extract(epoch FROM blocked_until - now()))::int AS wait
         FROM identity.login_throttle WHERE key = ANY($1) AND blocked_until > now()`,
      [counters.map((c) => c.key)],
    );
    const wait = Math.max(0, ...rows.map((r) => r.wait));
    if (wait > 0) throw rateLimited(wait);
  }

  async recordFailure(counters: Counter[]): Promise<void> {
    for (const { key, limit } of counters) {
      await this.db.query(
        `INSERT INTO identity.login_throttle AS t (key, failures, window_started_at)
         VALUES ($1, 1, now())
         ON CONFLICT (key) DO UPDATE SET
           failures = CASE WHEN t.window_started_at < now() - make_interval(secs => $2) THEN 1 ELSE t.failures + 1 END,
           window_started_at = CASE WHEN t.window_started_at < now() - make_interval(secs => $2) THEN now() ELSE t.window_started_at END`,
        [key, this.limits.windowSeconds],
      );
      await this.db.query(
        `UPDATE identity.login_throttle
            SET blocked_until = now() + make_interval(secs => least($3, $4 * power(2, failures - $2)))
          WHERE key = $1 AND failures >= $2`,
        [key, limit, this.limits.windowSeconds, this.limits.baseBlockSeconds],
      );
    }
  }

  /** A successful login clears its account counter (not the address one: others share it). */
  async recordSuccess(counters: Counter[]): Promise<void> {
    await this.db.query(`DELETE FROM identity.login_throttle WHERE key = $1`, [counters[0].key]);
  }
}
