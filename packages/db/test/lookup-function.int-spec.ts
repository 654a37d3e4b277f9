import { randomUUID } from 'node:crypto';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { Pool } from 'pg';
import { createDataSource, createLookupFunction, enableTenantRls, migrateServiceSchema } from '../src';

// The testing package builds on this one, so this test reaches the test database itself.
const databaseUrl = process.env.TEST_DATABASE_URL!;
const adminPool = new Pool({ connectionString: databaseUrl, max: 2 });
const admin = () => adminPool;

const SCHEMA = 'lookup_probe';

class LookupProbe1764230400000 implements MigrationInterface {
  name = 'LookupProbe1764230400000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE ${SCHEMA}.accounts (id uuid PRIMARY KEY, tenant_id uuid NOT NULL, email text NOT NULL, secret text NOT NULL)`);
    await enableTenantRls(runner, SCHEMA, 'accounts');
    await createLookupFunction(runner, {
      schema: SCHEMA,
      signature: 'find_account(p_email text)',
      returns: 'TABLE (account_id uuid, tenant_id uuid)',
      body: `SELECT id, tenant_id FROM ${SCHEMA}.accounts WHERE email = p_email`,
    });
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE ${SCHEMA}.accounts`);
  }
}

/** The one sanctioned way past RLS for a request: a narrow SECURITY DEFINER lookup. */
describe('createLookupFunction', () => {
  let app: DataSource;
  const account = { id: randomUUID(), tenantId: randomUUID(), email: `${randomUUID()}@example.test` };

  beforeAll(async () => {
    await migrateServiceSchema(databaseUrl, { schema: SCHEMA, migrations: [LookupProbe1764230400000] });
    await admin().query(`INSERT INTO ${SCHEMA}.accounts VALUES ($1, $2, $3, 'never returned')`, [account.id, account.tenantId, account.email]);
    app = createDataSource({ databaseUrl, schema: SCHEMA, role: 'app', poolSize: 1 });
    await app.initialize();
  });
  afterAll(async () => {
    await app.destroy();
    await adminPool.end();
  });

  it('finds a row before the tenant is known, returning only the declared columns', async () => {
    expect(await app.query(`SELECT * FROM ${SCHEMA}.accounts`)).toEqual([]);
    expect(await app.query(`SELECT * FROM ${SCHEMA}.find_account($1)`, [account.email])).toEqual([
      { account_id: account.id, tenant_id: account.tenantId },
    ]);
  });

  it('is owned by the NOLOGIN lookup role, pins its search_path and is executable by the app role only', async () => {
    const { rows } = await admin().query(
      `SELECT r.rolname AS owner, p.prosecdef AS definer, p.proconfig AS config,
              has_function_privilege('public', p.oid, 'EXECUTE') AS public_may,
              has_function_privilege('${SCHEMA}_app', p.oid, 'EXECUTE') AS app_may,
              has_function_privilege('${SCHEMA}_worker', p.oid, 'EXECUTE') AS worker_may
         FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = $1 AND p.proname = 'find_account'`,
      [SCHEMA],
    );
    expect(rows).toEqual([
      {
        owner: `${SCHEMA}_lookup`,
        definer: true,
        config: [`search_path=pg_catalog, ${SCHEMA}`],
        public_may: false,
        app_may: true,
        worker_may: false,
      },
    ]);
  });
});
