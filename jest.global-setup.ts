import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from './packages/db/src/embedded';

/**
 * Tests use DATABASE_URL when it is set (CI) and an embedded PostgreSQL otherwise, so
 * `npm test` passes on a fresh machine. Each test file migrates what it needs and creates its
 * own tenants, so nothing here resets data.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.TEST_PGBOUNCER_URL && !process.env.DATABASE_URL) {
    throw new Error('TEST_PGBOUNCER_URL needs DATABASE_URL, the server behind that PgBouncer (tools/pgbouncer/with-pgbouncer.sh sets both)');
  }
  if (process.env.DATABASE_URL) {
    process.env.TEST_DATABASE_URL = process.env.DATABASE_URL;
    return;
  }
  const server = await startEmbeddedPostgres({
    dataDir: mkdtempSync(join(tmpdir(), 'cg-test-pg-')),
    port: 20000 + Math.floor(Math.random() * 20000),
    password: randomBytes(18).toString('base64url'),
  });
  (globalThis as { embeddedPostgres?: typeof server }).embeddedPostgres = server;
  process.env.TEST_DATABASE_URL = server.url;
}
