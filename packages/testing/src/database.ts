import { Pool } from 'pg';
import { migrateServiceSchema, type ServiceSchema } from '@compliance-graph/db';

/** The database of this test run (set by jest.global-setup.ts). */
export function testDatabaseUrl(): string {
  const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (!url) throw new Error('no test database: run the tests through `npm test`');
  return url;
}

const migrated = new Map<string, Promise<string[]>>();

/** Migrates a service schema once per test process; the migration itself is idempotent. */
export function migrateForTests(service: ServiceSchema): Promise<string[]> {
  if (!migrated.has(service.schema)) migrated.set(service.schema, migrateServiceSchema(testDatabaseUrl(), service));
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
