import type { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantRls, serviceRoles } from '@compliance-graph/db';

/**
 * The register as a history of changes: an entry's fields live only in its changes (`after`
 * of the latest one in effect), so the register at any time, now included, is computed from
 * one source and cannot drift from a second copy. The entry row keeps its identity alone.
 */
export class RegisterChanges1765612800000 implements MigrationInterface {
  name = 'RegisterChanges1765612800000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE subprocessors.subprocessors
        DROP COLUMN name, DROP COLUMN legal_entity, DROP COLUMN website, DROP COLUMN purpose,
        DROP COLUMN data_categories, DROP COLUMN locations, DROP COLUMN transfer_mechanism,
        DROP COLUMN status, DROP COLUMN active_from, DROP COLUMN active_until,
        ADD COLUMN created_at timestamptz(3) NOT NULL DEFAULT now()`);
    // before/after are the entry as the graph shows it (SubprocessorInput's fields); the
    // checks keep the kinds honest: ADDED has no before, REMOVED no after, UPDATED both.
    await runner.query(`
      CREATE TABLE subprocessors.changes (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        subprocessor_id uuid NOT NULL REFERENCES subprocessors.subprocessors (id),
        kind text NOT NULL CHECK (kind IN ('ADDED', 'UPDATED', 'REMOVED')),
        status text NOT NULL CHECK (status IN ('ANNOUNCED', 'EFFECTIVE', 'CANCELLED')),
        before jsonb CHECK (before IS NULL OR jsonb_typeof(before) = 'object'),
        after jsonb CHECK (after IS NULL OR jsonb_typeof(after) = 'object'),
        announced_at timestamptz(3) NOT NULL,
        effective_at timestamptz(3) NOT NULL,
        objection_deadline timestamptz(3) NOT NULL,
        announced_by_kind text NOT NULL CHECK (announced_by_kind IN ('USER', 'API_KEY', 'SUPPORT', 'SYSTEM')),
        announced_by uuid,
        cancelled_at timestamptz(3),
        cancel_reason text CHECK (length(cancel_reason) BETWEEN 1 AND 2000),
        CHECK ((kind = 'ADDED') = (before IS NULL)),
        CHECK ((kind = 'REMOVED') = (after IS NULL)),
        CHECK (effective_at >= announced_at),
        CHECK (objection_deadline BETWEEN announced_at AND effective_at),
        CHECK ((status = 'CANCELLED') = (cancelled_at IS NOT NULL AND cancel_reason IS NOT NULL))
      )`);
    // At most one ANNOUNCED change per entry: two racing announcements cannot both commit.
    await runner.query(`CREATE UNIQUE INDEX changes_one_announced ON subprocessors.changes (subprocessor_id) WHERE status = 'ANNOUNCED'`);
    await runner.query(`CREATE INDEX changes_by_entry ON subprocessors.changes (tenant_id, subprocessor_id, effective_at)`);
    await runner.query(`CREATE INDEX changes_due ON subprocessors.changes (effective_at) WHERE status = 'ANNOUNCED'`);
    await enableTenantRls(runner, 'subprocessors', 'changes');

    await runner.query(`
      CREATE TABLE subprocessors.objections (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        change_id uuid NOT NULL REFERENCES subprocessors.changes (id),
        partner_kind text NOT NULL CHECK (partner_kind IN ('USER', 'API_KEY')),
        partner_id uuid NOT NULL,
        partner_name text NOT NULL CHECK (length(partner_name) > 0),
        reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 4000),
        created_at timestamptz(3) NOT NULL,
        UNIQUE (change_id, partner_kind, partner_id)
      )`);
    await enableTenantRls(runner, 'subprocessors', 'objections');

    // History is kept: requests never delete a change or an objection, nor rewrite an objection.
    const { app } = serviceRoles('subprocessors');
    await runner.query(`REVOKE DELETE ON subprocessors.changes, subprocessors.objections, subprocessors.subprocessors FROM ${app}`);
    await runner.query(`REVOKE UPDATE ON subprocessors.objections, subprocessors.subprocessors FROM ${app}`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE subprocessors.objections, subprocessors.changes`);
    await runner.query(`
      ALTER TABLE subprocessors.subprocessors DROP COLUMN created_at,
        ADD COLUMN name text NOT NULL, ADD COLUMN legal_entity text, ADD COLUMN website text,
        ADD COLUMN purpose text NOT NULL, ADD COLUMN data_categories text[] NOT NULL,
        ADD COLUMN locations text[] NOT NULL, ADD COLUMN transfer_mechanism text NOT NULL,
        ADD COLUMN status text NOT NULL, ADD COLUMN active_from timestamptz(3), ADD COLUMN active_until timestamptz(3)`);
    const { app } = serviceRoles('subprocessors');
    await runner.query(`GRANT UPDATE, DELETE ON subprocessors.subprocessors TO ${app}`);
  }
}
