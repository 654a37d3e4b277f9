import type { EntityManager } from 'typeorm';

/** The size of a tenant's log: what has been appended and committed (0 before its first event). */
export async function headSize(tx: EntityManager, tenantId: string): Promise<number> {
  const [head]: Array<{ size: string }> = await tx.query(`SELECT size FROM audit.log_heads WHERE tenant_id = $1`, [tenantId]);
  return head ? Number(head.size) : 0;
}
