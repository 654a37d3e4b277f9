import type { DataSource, EntityManager } from 'typeorm';
import type { SignedTreeHead } from './checkpoint-signer';

/** The distinct roots ever signed for a tenant's log, by size. */
export async function signedRoots(tx: EntityManager, tenantId: string): Promise<Array<{ treeSize: number; rootHash: Buffer }>> {
  const rows: Array<{ tree_size: string; root_hash: Buffer }> = await tx.query(
    `SELECT DISTINCT tree_size, root_hash FROM checkpoints WHERE tenant_id = $1 AND tree_size > 0 ORDER BY tree_size`,
    [tenantId],
  );
  return rows.map((row) => ({ treeSize: Number(row.tree_size), rootHash: row.root_hash }));
}

/** Stores a signed checkpoint once per size and key, and returns when it was first issued. */
export async function storeCheckpoint(tx: EntityManager, tenantId: string, size: number, root: Buffer, head: SignedTreeHead): Promise<Date> {
  const written: Array<{ issued_at: Date }> = await tx.query(
    `INSERT INTO checkpoints (tenant_id, tree_size, root_hash, body, signature, key_id)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING issued_at`,
    [tenantId, size, root, head.body, head.signature, head.keyId],
  );
  if (written[0]) return written[0].issued_at;
  // A concurrent request may be writing the same checkpoint: the insert then waits for it and
  // does nothing, and only a new statement (a new READ COMMITTED snapshot) sees the row it wrote.
  const [stored]: Array<{ issued_at: Date }> = await tx.query(
    `SELECT issued_at FROM checkpoints WHERE tenant_id = $1 AND tree_size = $2 AND key_id = $3`,
    [tenantId, size, head.keyId],
  );
  return stored.issued_at;
}

/** Every tenant whose log grew since its last checkpoint, across tenants (the worker role's view). */
export async function logsGrownSinceCheckpoint(workerDb: DataSource): Promise<Array<{ tenantId: string; size: number }>> {
  const rows: Array<{ tenant_id: string; size: string }> = await workerDb.query(
    `SELECT h.tenant_id, h.size FROM log_heads h
      WHERE h.size > COALESCE((SELECT max(c.tree_size) FROM checkpoints c WHERE c.tenant_id = h.tenant_id), 0)`,
  );
  return rows.map((row) => ({ tenantId: row.tenant_id, size: Number(row.size) }));
}

/** A log's latest signed checkpoint within `maxSize` (its largest size, then the latest issued), or null before the first. */
export async function latestCheckpoint(
  tx: EntityManager,
  tenantId: string,
  maxSize: number,
): Promise<{ treeSize: number; rootHash: Buffer; body: string; signature: string; keyId: string; issuedAt: Date } | null> {
  const [row]: Array<{ tree_size: string; root_hash: Buffer; body: string; signature: string; key_id: string; issued_at: Date }> = await tx.query(
    `SELECT tree_size, root_hash, body, signature, key_id, issued_at FROM checkpoints
      WHERE tenant_id = $1 AND tree_size <= $2 ORDER BY tree_size DESC, issued_at DESC LIMIT 1`,
    [tenantId, maxSize],
  );
  return row
    ? { treeSize: Number(row.tree_size), rootHash: row.root_hash, body: row.body, signature: row.signature, keyId: row.key_id, issuedAt: row.issued_at }
    : null;
}
