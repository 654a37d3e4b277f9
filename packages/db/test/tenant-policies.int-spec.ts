import { randomUUID } from 'node:crypto';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { Pool } from 'pg';
import { createDataSource, migrateServiceSchema, oncePerStatementTenantMigration, rewriteTenantPolicies, withTenant } from '../src';

// The testing package builds on this one, so this test reaches the test database itself.
const databaseUrl = process.env.TEST_DATABASE_URL!;
const adminPool = new Pool({ connectionString: databaseUrl, max: 2 });

const SCHEMA = 'tenant_policy_probe';
/** The tenant as policies read it before CURRENT_TENANT_SQL became a sub-select. */
const PER_ROW = `NULLIF(current_setting('app.tenant_id', true), '')::uuid`;

/** Policies as older migrations created them: one per table, another beside it, an insert-only check. */
class PerRowPolicies1764230400000 implements MigrationInterface {
  name = 'PerRowPolicies1764230400000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE ${SCHEMA}.notes (id uuid PRIMARY KEY, tenant_id uuid NOT NULL, body text NOT NULL)`);
    await runner.query(`CREATE TABLE ${SCHEMA}.shares (note_id uuid NOT NULL, tenant_id uuid NOT NULL)`);
    for (const table of ['notes', 'shares']) {
      await runner.query(`ALTER TABLE ${SCHEMA}.${table} ENABLE ROW LEVEL SECURITY`);
      await runner.query(`ALTER TABLE ${SCHEMA}.${table} FORCE ROW LEVEL SECURITY`);
    }
    await runner.query(`CREATE POLICY tenant_isolation ON ${SCHEMA}.notes USING (tenant_id = ${PER_ROW}) WITH CHECK (tenant_id = ${PER_ROW})`);
    await runner.query(
      `CREATE POLICY shared_read ON ${SCHEMA}.shares FOR SELECT
         USING (EXISTS (SELECT 1 FROM ${SCHEMA}.notes n WHERE n.id = shares.note_id AND n.tenant_id = ${PER_ROW}))`,
    );
    await runner.query(`CREATE POLICY shared_insert ON ${SCHEMA}.shares FOR INSERT WITH CHECK (tenant_id = ${PER_ROW} AND ${PER_ROW} IS NOT NULL)`);
    await runner.query(`GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA ${SCHEMA} TO ${SCHEMA}_app`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE ${SCHEMA}.shares, ${SCHEMA}.notes`);
  }
}

interface Policy {
  policy: string;
  using: string | null;
  check: string | null;
}
const POLICIES = `SELECT tablename || ' ' || policyname AS policy, qual AS using, with_check AS check FROM pg_policies WHERE schemaname = $1 ORDER BY 1`;
const policies = async (): Promise<Policy[]> => (await adminPool.query<Policy>(POLICIES, [SCHEMA])).rows;
const ONCE = `( SELECT (NULLIF(current_setting('app.tenant_id'::text, true), ''::text))::uuid AS "nullif")`;
const readsPerRow = (expression: string | null) => (expression ?? '').split(ONCE).some((part) => part.includes('current_setting('));

/**
 * Runs `work` as the schema's owner in a transaction that is rolled back, and returns what it
 * threw. pg_policies prints a table unqualified when the search_path finds it: the owner's path
 * is set to the admin's, so both print the policies alike.
 */
async function asOwnerRolledBack(work: (runner: QueryRunner) => Promise<void>): Promise<unknown> {
  const owner = createDataSource({ databaseUrl, schema: SCHEMA, role: 'owner', poolSize: 1 });
  await owner.initialize();
  const runner = owner.createQueryRunner();
  try {
    await runner.startTransaction();
    await runner.query('SET LOCAL search_path = public');
    await work(runner);
    return undefined;
  } catch (error) {
    return error;
  } finally {
    await runner.rollbackTransaction();
    await runner.release();
    await owner.destroy();
  }
}

describe('oncePerStatementTenantMigration', () => {
  const tenant = randomUUID();
  const other = randomUUID();
  let before: Policy[];

  beforeAll(async () => {
    // The per-row policies exist only before the rewrite: a database an earlier run migrated starts over.
    await adminPool.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await migrateServiceSchema(databaseUrl, { schema: SCHEMA, migrations: [PerRowPolicies1764230400000] });
    before = await policies();
    await migrateServiceSchema(databaseUrl, {
      schema: SCHEMA,
      migrations: [PerRowPolicies1764230400000, oncePerStatementTenantMigration(SCHEMA, { notes: 'id', shares: 'note_id' })],
    });
  });
  afterAll(() => adminPool.end());

  it('rewrites every policy reading the tenant, whatever its name, into the sub-select and nothing else', async () => {
    expect(before.filter((p) => readsPerRow(p.using) || readsPerRow(p.check)).map((p) => p.policy)).toEqual([
      'notes tenant_isolation',
      'shares shared_insert',
      'shares shared_read',
    ]);
    const after = await policies();
    expect(after.filter((p) => readsPerRow(p.using) || readsPerRow(p.check))).toEqual([]);
    expect(after.find((p) => p.policy === 'shares shared_insert')).toEqual({
      policy: 'shares shared_insert',
      using: null,
      check: `((tenant_id = ${ONCE}) AND (${ONCE} IS NOT NULL))`,
    });
  });

  it('keeps what each policy lets through: a tenant reads and writes its own rows only', async () => {
    const note = randomUUID();
    await adminPool.query(`INSERT INTO ${SCHEMA}.notes VALUES ($1, $2, 'mine'), ($3, $4, 'theirs')`, [note, tenant, randomUUID(), other]);
    await adminPool.query(`INSERT INTO ${SCHEMA}.shares VALUES ($1, $2)`, [note, tenant]);
    const app = createDataSource({ databaseUrl, schema: SCHEMA, role: 'app', poolSize: 1 });
    await app.initialize();
    try {
      await withTenant(app, tenant, async (tx) => {
        expect(await tx.query(`SELECT body FROM notes WHERE tenant_id IN ($1, $2)`, [tenant, other])).toEqual([{ body: 'mine' }]);
        expect(await tx.query(`SELECT note_id FROM shares`)).toEqual([{ note_id: note }]);
      });
      await expect(
        withTenant(app, tenant, (tx) => tx.query(`INSERT INTO shares VALUES ($1, $2)`, [note, other])),
      ).rejects.toThrow(/row-level security/);
      expect(await app.query(`SELECT count(*)::int AS n FROM notes`)).toEqual([{ n: 0 }]);
    } finally {
      await app.destroy();
    }
  });

  it('indexes each table named by tenant_id first', async () => {
    const { rows } = await adminPool.query(
      `SELECT indexrelid::regclass::text AS index, pg_get_indexdef(indexrelid) AS definition FROM pg_index
        WHERE indrelid = ANY(ARRAY[$1::regclass, $2::regclass]) AND indexrelid::regclass::text LIKE '%_tenant' ORDER BY 1`,
      [`${SCHEMA}.notes`, `${SCHEMA}.shares`],
    );
    expect(rows).toEqual([
      { index: `${SCHEMA}.notes_tenant`, definition: `CREATE INDEX notes_tenant ON ${SCHEMA}.notes USING btree (tenant_id, id)` },
      { index: `${SCHEMA}.shares_tenant`, definition: `CREATE INDEX shares_tenant ON ${SCHEMA}.shares USING btree (tenant_id, note_id)` },
    ]);
  });

  it('changes nothing when run again, and its down restores the per-row policies', async () => {
    const after = await policies();
    expect(await asOwnerRolledBack(async (runner) => {
      await rewriteTenantPolicies(runner, SCHEMA, 'once per statement');
      expect(await runner.query(POLICIES, [SCHEMA])).toEqual(after);
      await new (oncePerStatementTenantMigration(SCHEMA, { notes: 'id', shares: 'note_id' }))().down(runner);
      expect(await runner.query(POLICIES, [SCHEMA])).toEqual(before);
    })).toBeUndefined();
  });

  it('fails, naming the policy, when one reads current_setting in a form it does not know', async () => {
    const error = await asOwnerRolledBack(async (runner) => {
      await runner.query(`CREATE POLICY strict_tenant ON ${SCHEMA}.notes USING (tenant_id = current_setting('app.tenant_id')::uuid)`);
      await rewriteTenantPolicies(runner, SCHEMA, 'once per statement');
    });
    expect(error).toEqual(expect.objectContaining({ message: expect.stringMatching(/^policy strict_tenant on tenant_policy_probe\.notes reads current_setting outside a sub-select/) }));
  });
});
