import type { EntityManager } from 'typeorm';

/** The size of a tenant's log: what has been appended and committed (0 before its first event). */
export async function headSize(tx: EntityManager, tenantId: string): Promise<number> {
  const [head]: Array<{ size: string }> = await tx.query(`SELECT size FROM log_heads WHERE tenant_id = $1`, [tenantId]);
  return head ? Number(head.size) : 0;
}

/** Takes the tenant's head row lock (creating the head on its first append) and returns the log's size. */
export async function lockHead(tx: EntityManager, tenantId: string): Promise<number> {
  const lock = (): Promise<Array<{ size: string }>> => tx.query(`SELECT size FROM log_heads WHERE tenant_id = $1 FOR UPDATE`, [tenantId]);
  let [head] = await lock();
  if (!head) {
    // Two first appends may race to create it; the loser's insert does nothing and it queues on the lock.
    await tx.query(`INSERT INTO log_heads (tenant_id, size) VALUES ($1, 0) ON CONFLICT (tenant_id) DO NOTHING`, [tenantId]);
    [head] = await lock();
  }
  return Number(head.size);
}

/** Moves the head to `size`; the caller holds its lock (`lockHead`). */
export async function advanceHead(tx: EntityManager, tenantId: string, size: number): Promise<void> {
  await tx.query(`UPDATE log_heads SET size = $2 WHERE tenant_id = $1`, [tenantId, size]);
}
