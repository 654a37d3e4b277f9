import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { PLATFORM_TENANT_ID } from '@compliance-graph/auth';
import { admin, closeAdmin, testDatabaseUrl } from '@compliance-graph/testing';

/** `npm run db:migrate` (the built script) on a database of its own, so the first run applies every migration. */
const MIGRATE = join(resolve(__dirname, '../../..'), 'tools/start/dist/migrate.js');
const SCHEMAS = ['identity', 'evidence', 'audit', 'subprocessors'];

describe('db:migrate in the platform audit log', () => {
  const name = `${new URL(testDatabaseUrl()).pathname.slice(1)}_migrate_${process.pid}`;
  const url = Object.assign(new URL(testDatabaseUrl()), { pathname: `/${name}` }).toString();
  let db: Client;

  beforeAll(async () => {
    await admin().query(`CREATE DATABASE "${name}"`);
    db = new Client({ connectionString: url });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await admin().query(`DROP DATABASE "${name}" WITH (FORCE)`);
    await closeAdmin();
  });

  const migrate = () => execFileSync(process.execPath, [MIGRATE], { env: { ...process.env, DATABASE_URL: url }, encoding: 'utf8', stdio: 'pipe' });
  /** Each schema's platform records waiting in its outbox for its relay. */
  const recorded = async (schema: string) =>
    (await db.query(`SELECT payload FROM ${schema}.outbox WHERE tenant_id = $1 ORDER BY position`, [PLATFORM_TENANT_ID])).rows.map((row) => row.payload);

  it('records each service run that applied migrations once, naming them, and nothing when none ran', async () => {
    migrate();
    for (const schema of SCHEMAS) {
      const applied = (await db.query(`SELECT name FROM ${schema}.migrations ORDER BY id`)).rows.map((row) => row.name);
      const records = await recorded(schema);
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({
        tenantId: PLATFORM_TENANT_ID,
        action: 'platform.migrations_applied',
        actorKind: 'SYSTEM',
        subjectType: 'Service',
        subjectId: schema,
        service: schema,
        data: { schema, migrations: applied, actor: expect.any(String) },
      });
      expect(applied.length).toBeGreaterThan(0);
    }
    migrate();
    for (const schema of SCHEMAS) expect(await recorded(schema)).toHaveLength(1);
  });

  it('leaves a run undone when its record cannot be written: migrations and record commit together', async () => {
    // The next run's record fails (the owner may no longer write its outbox), so the run's migration must not stay.
    await db.query(`DELETE FROM identity.migrations WHERE name = 'PlatformOriginReserved1765699200000'`);
    await db.query(`ALTER TABLE identity.tenants DROP CONSTRAINT tenants_not_platform_origin`);
    await db.query('REVOKE INSERT ON identity.outbox FROM identity_owner');
    try {
      expect(migrate).toThrow(/migrating identity/);
    } finally {
      await db.query('GRANT INSERT ON identity.outbox TO identity_owner');
    }
    const constraint = await db.query(`SELECT 1 FROM pg_constraint WHERE conname = 'tenants_not_platform_origin'`);
    expect(constraint.rowCount).toBe(0);
    expect(await recorded('identity')).toHaveLength(1);
    migrate();
    expect((await db.query(`SELECT 1 FROM pg_constraint WHERE conname = 'tenants_not_platform_origin'`)).rowCount).toBe(1);
    expect((await recorded('identity')).map((record) => record.data.migrations)).toEqual([expect.any(Array), ['PlatformOriginReserved1765699200000']]);
  });
});
