import type { DataSource } from 'typeorm';
import { bootstrapServiceSchema, openServicePool, serviceRoles, type LoginRole } from '@compliance-graph/db';
import { admin, closeAdmin, reconnectPgbouncerServers, testDatabaseUrl, testLoginUrls, testPgbouncerUrl } from '@compliance-graph/testing';
import { migrateAll, SERVICES } from './stack';

/**
 * The second wall must not fall to one injected statement: a service's request and worker
 * connections log in as their own roles, from which no other role (owner, worker, another
 * service's, a superuser) can be reached.
 */
const SCHEMAS = SERVICES.map((s) => s.schema);
const VARIABLE: Record<LoginRole, string> = { app: 'DATABASE_URL', worker: 'DATABASE_WORKER_URL' };

const openAs = (schema: string, role: LoginRole, databaseUrl = testLoginUrls(schema)[role]) =>
  openServicePool({ databaseUrl, variable: VARIABLE[role], schema, role, poolSize: 1 });

describe('service database logins', () => {
  let superuser: string;
  const pools: DataSource[] = [];

  beforeAll(async () => {
    await migrateAll();
    superuser = (await admin().query<{ name: string }>('SELECT current_user AS name')).rows[0].name;
  });
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.destroy()));
    await closeAdmin();
  });

  /** Runs `statement` on a fresh connection of the pool and answers the error it raised (or 'ran'). */
  const attempt = async (pool: DataSource, statement: string) => {
    const runner = pool.createQueryRunner();
    try {
      await runner.query(statement);
      return 'ran';
    } catch (error) {
      return (error as Error).message;
    } finally {
      await runner.release();
    }
  };

  describe.each(SCHEMAS.flatMap((schema) => (['app', 'worker'] as const).map((role) => [schema, role] as const)))('%s %s', (schema, role) => {
    let pool: DataSource;
    beforeAll(async () => {
      pool = await openAs(schema, role);
      pools.push(pool);
    });

    it('logs in as the role itself', async () => {
      const [who] = await pool.query('SELECT session_user::text AS session, current_user::text AS current');
      expect(who).toEqual({ session: serviceRoles(schema)[role], current: serviceRoles(schema)[role] });
    });

    it('needs no startup options, so it runs behind a transaction-pooling PgBouncer: its search_path comes from the role', async () => {
      const settings = await pool.query(
        `SELECT current_setting('role') AS role, setting AS search_path, source FROM pg_settings WHERE name = 'search_path'`,
      );
      expect(settings).toEqual([{ role: 'none', search_path: schema, source: 'user' }]);
    });

    it('cannot SET ROLE to the owner, the other login role, another service or a superuser', async () => {
      const roles = serviceRoles(schema);
      const other = SCHEMAS.find((s) => s !== schema)!;
      const targets = [roles.owner, role === 'app' ? roles.worker : roles.app, roles.lookup, serviceRoles(other).worker, superuser];
      for (const target of targets) {
        expect(await attempt(pool, `SET ROLE "${target}"`)).toMatch(/permission denied to set role/);
      }
    });

    it('cannot SET SESSION AUTHORIZATION to anyone, and RESET ROLE leaves it where it was', async () => {
      for (const target of [superuser, serviceRoles(schema).owner]) {
        expect(await attempt(pool, `SET SESSION AUTHORIZATION "${target}"`)).toMatch(/permission denied to set session authorization/);
      }
      const runner = pool.createQueryRunner();
      try {
        await runner.query('RESET ROLE');
        await runner.query('RESET SESSION AUTHORIZATION');
        expect(await runner.query('SELECT current_user::text AS current')).toEqual([{ current: serviceRoles(schema)[role] }]);
      } finally {
        await runner.release();
      }
    });
  });

  it('refuses to open a service pool on the migrating user (a superuser) or on the wrong role', async () => {
    await expect(openAs('identity', 'app', testDatabaseUrl())).rejects.toThrow(
      `DATABASE_URL logs in as "${superuser}"; it must log in as identity_app, a role that can become no other`,
    );
    // The startup option `role` already refuses a login that is not the role (or a member of it);
    // a PgBouncer refuses any startup option before the server sees it.
    const refusal = (role: string) => (testPgbouncerUrl() ? 'unsupported startup parameter: options' : `permission denied to set role "${role}"`);
    await expect(openAs('identity', 'worker', testLoginUrls('identity').app)).rejects.toThrow(refusal('identity_worker'));
    await expect(openAs('identity', 'app', testLoginUrls('audit').app)).rejects.toThrow(refusal('identity_app'));
  });

  it('refuses a login role that was made a member of another role, until the bootstrap takes it back', async () => {
    await admin().query('GRANT identity_owner TO identity_app');
    try {
      await expect(openAs('identity', 'app')).rejects.toThrow('DATABASE_URL is a member of identity_owner');
      await bootstrapServiceSchema(testDatabaseUrl(), 'identity');
      const pool = await openAs('identity', 'app');
      pools.push(pool);
      expect(await attempt(pool, 'SET ROLE identity_owner')).toMatch(/permission denied to set role/);
    } finally {
      await admin().query('REVOKE identity_owner FROM identity_app').catch(() => undefined);
    }
  });

  it('refuses a login role whose search_path reaches beyond its schema, until the bootstrap sets it back', async () => {
    await admin().query('ALTER ROLE identity_app SET search_path = public, identity');
    try {
      await reconnectPgbouncerServers();
      await expect(openAs('identity', 'app')).rejects.toThrow('DATABASE_URL has search_path "public, identity" instead of its schema');
      await bootstrapServiceSchema(testDatabaseUrl(), 'identity');
      await reconnectPgbouncerServers();
      const pool = await openAs('identity', 'app');
      pools.push(pool);
      expect(await pool.query(`SELECT current_setting('search_path') AS path`)).toEqual([{ path: 'identity' }]);
    } finally {
      await admin().query('ALTER ROLE identity_app SET search_path = identity');
      await reconnectPgbouncerServers();
    }
  });

  it('keeps the login roles members of nothing, and lets only them log in', async () => {
    const { rows: memberships } = await admin().query(
      `SELECT r.rolname AS member, g.rolname AS role FROM pg_auth_members m
         JOIN pg_roles r ON r.oid = m.member JOIN pg_roles g ON g.oid = m.roleid
        WHERE r.rolname = ANY($1)`,
      [SCHEMAS.flatMap((schema) => [serviceRoles(schema).app, serviceRoles(schema).worker])],
    );
    expect(memberships).toEqual([]);
    const { rows: logins } = await admin().query<{ rolname: string }>(
      `SELECT rolname FROM pg_roles WHERE rolcanlogin AND rolname = ANY($1) ORDER BY 1`,
      [SCHEMAS.flatMap((schema) => Object.values(serviceRoles(schema)))],
    );
    expect(logins.map((r) => r.rolname)).toEqual(SCHEMAS.flatMap((schema) => [serviceRoles(schema).app, serviceRoles(schema).worker]).sort());
  });
});
