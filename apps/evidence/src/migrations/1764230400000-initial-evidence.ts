import type { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantRls } from '@compliance-graph/db';
import { createOutboxTable } from '@compliance-graph/outbox';

export class InitialEvidence1764230400000 implements MigrationInterface {
  name = 'InitialEvidence1764230400000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE evidence.evidence (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL,
        title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
        description text,
        control_refs text[] NOT NULL DEFAULT '{}',
        source_kind text NOT NULL CHECK (source_kind IN ('UPLOAD','URL','SYSTEM','MANUAL')),
        source_ref text NOT NULL,
        collected_at timestamptz(3) NOT NULL,
        valid_until timestamptz(3),
        status text NOT NULL DEFAULT 'DRAFT' CHECK (status IN ('DRAFT','SUBMITTED','APPROVED','REJECTED')),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        created_by uuid NOT NULL
      )`);
    await runner.query(`CREATE INDEX evidence_tenant_created ON evidence.evidence (tenant_id, created_at DESC, id)`);
    await enableTenantRls(runner, 'evidence', 'evidence');
    await createOutboxTable(runner, 'evidence');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE evidence.outbox, evidence.evidence`);
  }
}
