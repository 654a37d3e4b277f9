import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { admin, testDatabaseUrl } from '@compliance-graph/testing';

const OPERATOR_CLI = join(__dirname, '../../tools/start/dist/operator.js');

/** `npm run operator -- <args>` on the test database (the built CLI, as an operator runs it); throws on a non-zero exit. */
export const operatorCli = (...args: string[]): string =>
  execFileSync(process.execPath, [OPERATOR_CLI, ...args], { env: { ...process.env, DATABASE_URL: testDatabaseUrl() }, encoding: 'utf8' });

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
