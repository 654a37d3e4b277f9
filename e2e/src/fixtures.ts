import { randomUUID } from 'node:crypto';
import { admin } from '@compliance-graph/testing';

/** An evidence row written directly, for tests that need one before evidence has mutations. */
export async function insertEvidence(tenantId: string, createdBy: string, title = 'Access policy v3'): Promise<string> {
  const id = randomUUID();
  await admin().query(
    `INSERT INTO evidence.evidence (id, tenant_id, title, control_refs, source_kind, source_ref, collected_at, created_by)
     VALUES ($1, $2, $3, $4, 'MANUAL', 'note', now(), $5)`,
    [id, tenantId, title, ['ISO27001:A.5.15'], createdBy],
  );
  return id;
}
