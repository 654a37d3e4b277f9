import type { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantRls, serviceRoles } from '@compliance-graph/db';

const { app } = serviceRoles('evidence');
const SHA256_HEX = `~ '^[0-9a-f]{64}$'`;

/**
 * Uploads, the immutable revisions that reference them and the decision history. The app role
 * may insert revisions and decisions but never change or remove one (the record an auditor
 * relies on), and may change an upload only by claiming it; removing unclaimed uploads is the
 * worker's garbage collection.
 */
export class EvidenceRecords1765267200000 implements MigrationInterface {
  name = 'EvidenceRecords1765267200000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE evidence.uploads (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        uploaded_by uuid NOT NULL,
        sha256 text NOT NULL CHECK (sha256 ${SHA256_HEX}),
        size_bytes bigint NOT NULL CHECK (size_bytes > 0),
        content_type text NOT NULL CHECK (length(content_type) BETWEEN 1 AND 255),
        file_name text NOT NULL CHECK (octet_length(file_name) BETWEEN 1 AND 255),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        claimed_at timestamptz(3)
      )`);
    await runner.query(`CREATE INDEX uploads_unclaimed ON evidence.uploads (created_at) WHERE claimed_at IS NULL`);
    await runner.query(`CREATE INDEX uploads_sha256 ON evidence.uploads (sha256)`);
    await enableTenantRls(runner, 'evidence', 'uploads');

    await runner.query(`
      CREATE TABLE evidence.revisions (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        evidence_id uuid NOT NULL REFERENCES evidence.evidence (id),
        version integer NOT NULL CHECK (version >= 1),
        upload_id uuid NOT NULL UNIQUE REFERENCES evidence.uploads (id),
        sha256 text NOT NULL CHECK (sha256 ${SHA256_HEX}),
        size_bytes bigint NOT NULL CHECK (size_bytes > 0),
        content_type text NOT NULL,
        file_name text NOT NULL,
        uploaded_at timestamptz(3) NOT NULL,
        uploaded_by uuid NOT NULL,
        UNIQUE (evidence_id, version)
      )`);
    await enableTenantRls(runner, 'evidence', 'revisions');

    await runner.query(`
      CREATE TABLE evidence.decisions (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        evidence_id uuid NOT NULL REFERENCES evidence.evidence (id),
        revision_version integer,
        decision text NOT NULL CHECK (decision IN ('APPROVE', 'REJECT')),
        rationale text NOT NULL CHECK (length(rationale) BETWEEN 1 AND 4000),
        decided_at timestamptz(3) NOT NULL DEFAULT now(),
        decided_by uuid NOT NULL
      )`);
    await runner.query(`CREATE INDEX decisions_evidence ON evidence.decisions (evidence_id, decided_at)`);
    await enableTenantRls(runner, 'evidence', 'decisions');

    await runner.query(`REVOKE UPDATE, DELETE ON evidence.revisions, evidence.decisions FROM ${app}`);
    await runner.query(`REVOKE UPDATE, DELETE ON evidence.uploads FROM ${app}`);
    await runner.query(`GRANT UPDATE (claimed_at) ON evidence.uploads TO ${app}`);

    await runner.query(`CREATE INDEX evidence_tenant_status ON evidence.evidence (tenant_id, status)`);
    await runner.query(`CREATE INDEX evidence_control_refs ON evidence.evidence USING gin (control_refs)`);
    await runner.query(`CREATE INDEX evidence_tenant_valid_until ON evidence.evidence (tenant_id, valid_until) WHERE valid_until IS NOT NULL`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX evidence.evidence_tenant_valid_until, evidence.evidence_control_refs, evidence.evidence_tenant_status`);
    await runner.query(`DROP TABLE evidence.decisions, evidence.revisions, evidence.uploads`);
  }
}
