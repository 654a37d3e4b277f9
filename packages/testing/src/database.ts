import { Pool } from 'pg';
import { testPgbouncerUrl } from './pgbouncer';
import { loginPasswords, migrateServiceSchema, serviceLoginUrls, type LoginRole, type ServiceSchema } from '@compliance-graph/db';

/** The database of this test run (set by jest.global-setup.ts). */
export function testDatabaseUrl(): string {
  const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (!url) throw new Error('no test database: run the tests through `npm test`');
  return url;
}

/** The test run's stand-in for the launcher's DATABASE_ROLE_SECRET: test logins' passwords derive from it. */
const TEST_ROLE_SECRET = 'test-database-role-secret';

/** Where a service under test connects: PgBouncer's host and port when one is configured, else the server's. */
function serviceServerUrl(): string {
  const server = new URL(testDatabaseUrl());
  const pgbouncer = testPgbouncerUrl();
  if (pgbouncer) {
    const { hostname, port } = new URL(pgbouncer);
    Object.assign(server, { hostname, port });
  }
  return server.toString();
}

/**
 * The URLs a service under test logs in with, as `<schema>_app` and `<schema>_worker`, like a
 * deployed one: through PgBouncer when TEST_PGBOUNCER_URL is set. Fixtures (admin) and
 * migrations always connect to the server directly.
 */
export function testLoginUrls(schema: string): Record<LoginRole, string> {
  return serviceLoginUrls(serviceServerUrl(), schema, loginPasswords(TEST_ROLE_SECRET, schema));
}

/** A service's DATABASE_URL and DATABASE_WORKER_URL for a test that starts it. */
export function testDatabaseEnv(schema: string): { DATABASE_URL: string; DATABASE_WORKER_URL: string } {
  const logins = testLoginUrls(schema);
  return { DATABASE_URL: logins.app, DATABASE_WORKER_URL: logins.worker };
}

const migrated = new Map<string, Promise<string[]>>();

/** Migrates a service schema once per test process (setting its login passwords); the migration itself is idempotent. */
export function migrateForTests(service: ServiceSchema): Promise<string[]> {
  if (!migrated.has(service.schema)) {
    migrated.set(service.schema, migrateServiceSchema(testDatabaseUrl(), service, loginPasswords(TEST_ROLE_SECRET, service.schema)));
  }
  return migrated.get(service.schema)!;
}

let adminPool: Pool | undefined;

/**
 * Superuser access for fixtures and for looking at stored rows directly. Application code
 * never gets this; tests use it to arrange data and to prove what the app roles cannot do.
 */
export function admin(): Pool {
  adminPool ??= new Pool({ connectionString: testDatabaseUrl(), max: 4 });
  return adminPool;
}

export async function closeAdmin(): Promise<void> {
  await adminPool?.end();
  adminPool = undefined;
}
