import type { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantRls, serviceRoles } from '@compliance-graph/db';

/** The log's own tables: once written, never changed, by any role. */
const APPEND_ONLY = ['events', 'tree_nodes', 'checkpoints'];

export class AuditLog1764662400000 implements MigrationInterface {
  name = 'AuditLog1764662400000';

  async up(runner: QueryRunner): Promise<void> {
    // One row per event, seq = its leaf index in the tenant's Merkle log (RFC 9162).
    // Timestamps are stored at millisecond precision, so a record hashes the same after any round trip.
    await runner.query(`
      CREATE TABLE audit.events (
        tenant_id uuid NOT NULL,
        seq bigint NOT NULL CHECK (seq >= 0),
        id uuid NOT NULL UNIQUE,
        occurred_at timestamptz(3) NOT NULL,
        recorded_at timestamptz(3) NOT NULL,
        action text NOT NULL,
        actor_kind text NOT NULL CHECK (actor_kind IN ('USER', 'API_KEY', 'SUPPORT', 'SYSTEM')),
        actor_id uuid,
        subject_type text NOT NULL,
        subject_id text NOT NULL,
        service text NOT NULL,
        ip text,
        user_agent text,
        reason text,
        data jsonb NOT NULL,
        leaf_hash bytea NOT NULL CHECK (length(leaf_hash) = 32),
        PRIMARY KEY (tenant_id, seq)
      )`);
    await runner.query(`CREATE INDEX events_subject ON audit.events (tenant_id, subject_type, subject_id, seq)`);
    await runner.query(`CREATE INDEX events_actor ON audit.events (tenant_id, actor_id, seq)`);
    await runner.query(`CREATE INDEX events_action ON audit.events (tenant_id, action text_pattern_ops, seq)`);
    await runner.query(`CREATE INDEX events_occurred ON audit.events (tenant_id, occurred_at, seq)`);

    // Every complete subtree's hash, (level, index) = leaves [index·2^level, (index+1)·2^level):
    // any root or proof is O(log n) lookups, never a rehash of the log.
    await runner.query(`
      CREATE TABLE audit.tree_nodes (
        tenant_id uuid NOT NULL,
        level smallint NOT NULL CHECK (level BETWEEN 0 AND 62),
        index bigint NOT NULL CHECK (index >= 0),
        hash bytea NOT NULL CHECK (length(hash) = 32),
        PRIMARY KEY (tenant_id, level, index)
      )`);

    await runner.query(`
      CREATE TABLE audit.checkpoints (
        tenant_id uuid NOT NULL,
        tree_size bigint NOT NULL CHECK (tree_size >= 0),
        root_hash bytea NOT NULL CHECK (length(root_hash) = 32),
        body text NOT NULL,
        signature text NOT NULL,
        key_id text NOT NULL,
        issued_at timestamptz(3) NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, tree_size, key_id)
      )`);

    // The size of each tenant's log; locking this row serialises appends per tenant (no forks, no gaps).
    await runner.query(`
      CREATE TABLE audit.log_heads (
        tenant_id uuid PRIMARY KEY,
        size bigint NOT NULL CHECK (size >= 0)
      )`);

    for (const table of [...APPEND_ONLY, 'log_heads']) await enableTenantRls(runner, 'audit', table);

    const roles = serviceRoles('audit');
    await runner.query(`
      CREATE FUNCTION audit.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit log is append-only: % on %.% refused', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    for (const table of APPEND_ONLY) {
      await runner.query(`REVOKE UPDATE, DELETE, TRUNCATE ON audit.${table} FROM ${roles.app}, ${roles.worker}, ${roles.lookup}`);
      await runner.query(
        `CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON audit.${table} FOR EACH ROW EXECUTE FUNCTION audit.refuse_change()`,
      );
      await runner.query(
        `CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON audit.${table} FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change()`,
      );
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE audit.log_heads, audit.checkpoints, audit.tree_nodes, audit.events`);
    await runner.query(`DROP FUNCTION audit.refuse_change()`);
  }
}
