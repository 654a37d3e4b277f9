import type { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantRls, serviceRoles } from '@compliance-graph/db';

const { app } = serviceRoles('evidence');

/** The columns sealing sets: the app role changes nothing else of a proofpack, and removes none. */
const SEALING = ['status', 'sealed_at', 'sealed_by', 'manifest_sha256', 'signature', 'key_id', 'package_sha256', 'package_size_bytes'];

/**
 * Proofpacks and the evidence they hold. Once sealed a pack is final: its ZIP is stored by its
 * hash and served from there, so every download is the same bytes.
 */
export class Proofpacks1765440000000 implements MigrationInterface {
  name = 'Proofpacks1765440000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE evidence.proofpacks (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
        description text,
        status text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'SEALED')),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        created_by uuid NOT NULL,
        sealed_at timestamptz(3),
        sealed_by uuid,
        manifest_sha256 text CHECK (manifest_sha256 ~ '^[0-9a-f]{64}$'),
        signature text,
        key_id text,
        package_sha256 text CHECK (package_sha256 ~ '^[0-9a-f]{64}$'),
        package_size_bytes bigint,
        CHECK ((status = 'SEALED') = (sealed_at IS NOT NULL AND sealed_by IS NOT NULL AND manifest_sha256 IS NOT NULL
                                      AND signature IS NOT NULL AND key_id IS NOT NULL AND package_sha256 IS NOT NULL))
      )`);
    await runner.query(`CREATE INDEX proofpacks_tenant_created ON evidence.proofpacks (tenant_id, created_at DESC)`);
    await runner.query(`CREATE INDEX proofpacks_package ON evidence.proofpacks (package_sha256) WHERE package_sha256 IS NOT NULL`);
    await enableTenantRls(runner, 'evidence', 'proofpacks');
    await runner.query(`
      CREATE TABLE evidence.proofpack_items (
        proofpack_id uuid NOT NULL REFERENCES evidence.proofpacks (id),
        evidence_id uuid NOT NULL REFERENCES evidence.evidence (id),
        tenant_id uuid NOT NULL,
        position integer NOT NULL,
        PRIMARY KEY (proofpack_id, evidence_id),
        UNIQUE (proofpack_id, position)
      )`);
    await enableTenantRls(runner, 'evidence', 'proofpack_items');
    await runner.query(`REVOKE UPDATE, DELETE ON evidence.proofpacks, evidence.proofpack_items FROM ${app}`);
    await runner.query(`GRANT UPDATE (${SEALING.join(', ')}) ON evidence.proofpacks TO ${app}`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE evidence.proofpack_items, evidence.proofpacks`);
  }
}
