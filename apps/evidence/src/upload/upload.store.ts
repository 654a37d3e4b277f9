import type { EntityManager } from 'typeorm';

/**
 * Serialises, per content hash, everything that decides whether a blob may exist: an upload's
 * row insert with its blob commit, and the collector's reference check with its blob delete.
 * Transaction-level, so it is released at commit or rollback and no connection keeps it.
 */
export async function lockBlobAddress(tx: EntityManager, sha256: string): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(hashtext('upload-blob:' || $1))`, [sha256]);
}

/**
 * Removes up to `limit` uploads of every tenant (the worker role's view) that no revision
 * claimed within `retentionHours`, and returns their hashes. SKIP LOCKED lets several
 * collectors share the work, and skips an upload a revision is claiming right now.
 */
export async function deleteExpiredUploads(tx: EntityManager, retentionHours: number, limit: number): Promise<string[]> {
  const [rows]: [Array<{ sha256: string }>, number] = await tx.query(
    `DELETE FROM uploads WHERE id IN (
       SELECT id FROM uploads
        WHERE claimed_at IS NULL AND created_at < now() - make_interval(hours => $1)
        ORDER BY created_at LIMIT $2
          FOR UPDATE SKIP LOCKED)
     RETURNING sha256`,
    [retentionHours, limit],
  );
  return rows.map((row) => row.sha256);
}

/** Whether any upload, revision or sealed proofpack of any tenant still names the content (the worker role's view). */
export async function isBlobReferenced(tx: EntityManager, sha256: string): Promise<boolean> {
  const [row]: Array<{ referenced: boolean }> = await tx.query(
    `SELECT EXISTS (SELECT 1 FROM uploads WHERE sha256 = $1) OR EXISTS (SELECT 1 FROM revisions WHERE sha256 = $1)
         OR EXISTS (SELECT 1 FROM proofpacks WHERE package_sha256 = $1) AS referenced`,
    [sha256],
  );
  return row.referenced;
}
