import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '@compliance-graph/db';
import { freePort } from '@compliance-graph/testing';

const DATABASE = 'bench';

export interface SqlCount {
  statements: number;
  totalMs: number;
}

export interface BenchPostgres {
  /** Superuser URL of the bench's own database: the migrations create the service roles with it. */
  url: string;
  version: string;
  description: string;
  /** Forgets what pg_stat_statements counted so far: call before a measured phase. */
  resetSql(): Promise<void>;
  /** What the services ran in the bench database since the last reset (the bench's own statements left out). */
  readSql(): Promise<SqlCount>;
  stop(): Promise<void>;
}

/**
 * A throw-away embedded PostgreSQL with pg_stat_statements loaded, in a temporary directory that
 * `stop` deletes: statements are counted by the server itself, whatever client library sends them.
 */
export async function startBenchPostgres(): Promise<BenchPostgres> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cg-bench-pg-'));
  // Run as root, PostgreSQL runs as `postgres`, which must reach its data directory.
  chmodSync(dataDir, 0o755);
  const port = await freePort();
  const removeDataDir = () => rmSync(dataDir, { recursive: true, force: true });
  let server: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
  let admin: Client | undefined;
  const stop = async () => {
    try {
      await admin?.end();
      await server?.stop();
    } finally {
      removeDataDir();
    }
  };
  try {
    server = await startEmbeddedPostgres({
      dataDir,
      port,
      password: randomBytes(18).toString('base64url'),
      settings: { shared_preload_libraries: 'pg_stat_statements' },
    });
    const bootstrap = new Client({ connectionString: server.url });
    await bootstrap.connect();
    await bootstrap.query(`CREATE DATABASE ${DATABASE}`).finally(() => bootstrap.end());
    const url = new URL(server.url);
    url.pathname = `/${DATABASE}`;
    admin = new Client({ connectionString: url.toString() });
    await admin.connect();
    await admin.query('CREATE EXTENSION pg_stat_statements');
    const { rows } = await admin.query<{ server_version: string }>('SHOW server_version');
    const session = admin;
    return {
      url: url.toString(),
      version: rows[0].server_version.split(' ')[0],
      description: `embedded on 127.0.0.1:${port}, database ${DATABASE}, pg_stat_statements (${dataDir}, deleted afterwards)`,
      resetSql: async () => {
        await session.query('SELECT pg_stat_statements_reset()');
      },
      readSql: async () => {
        const { rows: [count] } = await session.query<{ statements: string; total_ms: number }>(
          `SELECT coalesce(sum(calls), 0) AS statements, coalesce(sum(total_exec_time), 0)::float8 AS total_ms
             FROM pg_stat_statements
            WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND userid <> (SELECT oid FROM pg_roles WHERE rolname = current_user)`,
        );
        return { statements: Number(count.statements), totalMs: count.total_ms };
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
