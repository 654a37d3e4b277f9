import type { DataSource } from 'typeorm';

/** A counter's key and the failures that block it. */
export interface CounterLimit {
  key: string;
  limit: number;
}

/**
 * Counts one attempt on each counter, atomically per counter (the database function
 * `reserve_attempt`), and returns the seconds to wait when one is blocked, else 0.
 */
export async function reserveAttempt(db: DataSource, counters: readonly CounterLimit[], windowSeconds: number, baseBlockSeconds: number): Promise<number> {
  const [{ wait }]: Array<{ wait: number }> = await db.query(`SELECT reserve_attempt($1, $2, $3, $4) AS wait`, [
    counters.map((c) => c.key),
    counters.map((c) => c.limit),
    windowSeconds,
    baseBlockSeconds,
  ]);
  return wait;
}

export async function clearCounters(db: DataSource, keys: readonly string[]): Promise<void> {
  await db.query(`DELETE FROM login_throttle WHERE key = ANY($1::text[])`, [keys]);
}

/** Gives one attempt back to a counter, lifting its block once it is under its limit again. */
export async function giveBackAttempt(db: DataSource, { key, limit }: CounterLimit): Promise<void> {
  await db.query(
    `UPDATE login_throttle
        SET failures = greatest(failures - 1, 0),
            blocked_until = CASE WHEN failures - 1 < $2 THEN NULL ELSE blocked_until END
      WHERE key = $1`,
    [key, limit],
  );
}
