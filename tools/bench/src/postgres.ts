import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres, type RunningPostgres } from '@compliance-graph/db';
import { freePort } from '@compliance-graph/testing';

const DATABASE = 'bench';

/** What the services ran in the bench database, counted by the server. */
export interface SqlCount {
  statements: number;
  totalMs: number;
}

/** Everything the services ran, not the bench's own statements: the services log in as their own roles. */
const SERVICE_STATEMENTS = `
  SELECT coalesce(sum(calls), 0)::float8 AS statements, coalesce(sum(total_exec_time), 0)::float8 AS "totalMs"
    FROM pg_stat_statements
   WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
     AND userid <> (SELECT oid FROM pg_roles WHERE rolname = current_user)`;

/**
 * A throw-away embedded PostgreSQL with pg_stat_statements loaded and a database of its own, in a
 * temporary directory that `stop` deletes: statements are counted by the server, whoever sends them.
 */
export async function startBenchPostgres() {
  const dataDir = mkdtempSync(join(tmpdir(), 'cg-bench-pg-'));
  // Run as root, PostgreSQL runs as `postgres`, which must reach its data directory.
  chmodSync(dataDir, 0o755);
  let server: RunningPostgres | undefined;
  let admin: Client | undefined;
  const stop = async () => {
    try {
      await admin?.end();
      await server?.stop();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  };
  try {
    const port = await freePort();
    const password = randomBytes(18).toString('base64url');
    server = await startEmbeddedPostgres({ dataDir, port, password, settings: { shared_preload_libraries: 'pg_stat_statements' } });
    const bootstrap = new Client({ connectionString: server.url });
    await bootstrap.connect();
    await bootstrap.query(`CREATE DATABASE ${DATABASE}`).finally(() => bootstrap.end());
    const url = Object.assign(new URL(server.url), { pathname: `/${DATABASE}` }).toString();
    const session = (admin = new Client({ connectionString: url }));
    await session.connect();
    await session.query('CREATE EXTENSION pg_stat_statements');
    const { rows } = await session.query<{ server_version: string }>('SHOW server_version');
    return {
      /** Superuser URL of the bench database: the migrations create the service roles with it. */
      url,
      version: rows[0].server_version.split(' ')[0],
      description: `embedded on 127.0.0.1:${port}, database ${DATABASE}, pg_stat_statements loaded (${dataDir}, deleted afterwards)`,
      /** Forgets what was counted so far: called before a measured phase. */
      resetSql: async () => void (await session.query('SELECT pg_stat_statements_reset()')),
      readSql: async (): Promise<SqlCount> => (await session.query<SqlCount>(SERVICE_STATEMENTS)).rows[0],
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

export type BenchPostgres = Awaited<ReturnType<typeof startBenchPostgres>>;
