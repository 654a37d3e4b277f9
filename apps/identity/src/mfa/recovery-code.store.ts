import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';

/**
 * A user's recovery codes, stored as hashes. They are only ever handled as a set (replaced,
 * cleared) or spent by hash, so they have no entity.
 */
export async function replaceRecoveryCodes(tx: EntityManager, userId: string, codeHashes: readonly string[]): Promise<void> {
  await clearRecoveryCodes(tx, userId);
  await tx.query(
    `INSERT INTO recovery_codes (id, user_id, code_hash) SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[])`,
    [codeHashes.map(() => randomUUID()), codeHashes.map(() => userId), codeHashes],
  );
}

export async function clearRecoveryCodes(tx: EntityManager, userId: string): Promise<void> {
  await tx.query(`DELETE FROM recovery_codes WHERE user_id = $1`, [userId]);
}

/** Marks the unused code with this hash as used; false when there is none (wrong, or already spent). */
export async function spendRecoveryCode(tx: EntityManager, userId: string, codeHash: string): Promise<boolean> {
  // Wrapped in a SELECT: TypeORM answers a bare UPDATE ... RETURNING with [rows, count].
  const spent: Array<{ id: string }> = await tx.query(
    `WITH spent AS (UPDATE recovery_codes SET used_at = now() WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL RETURNING id)
     SELECT id FROM spent`,
    [userId, codeHash],
  );
  return spent.length > 0;
}
