import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '@compliance-graph/db';
import { freePort } from '@compliance-graph/testing';

export interface BenchDatabase {
  /** A URL whose login user may create roles (the migrations bootstrap them). */
  url: string;
  /** Where the database is, for the report (never the password). */
  description: string;
  /** The embedded server's data directory (its postmaster.pid names the server process); unset for DATABASE_URL. */
  dataDir?: string;
  stop(): Promise<void>;
}

const withoutPassword = (url: string) => {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}`;
  } catch {
    return '(unparseable URL)';
  }
};

/**
 * DATABASE_URL when set (left running, its data kept), otherwise a throw-away embedded
 * PostgreSQL in a temporary directory that `stop` deletes again.
 */
export async function startBenchDatabase(env: NodeJS.ProcessEnv = process.env): Promise<BenchDatabase> {
  if (env.DATABASE_URL) {
    return { url: env.DATABASE_URL, description: `DATABASE_URL (${withoutPassword(env.DATABASE_URL)})`, stop: async () => undefined };
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'cg-bench-pg-'));
  // Run as root, PostgreSQL runs as `postgres`, which must reach its data directory.
  chmodSync(dataDir, 0o755);
  const port = await freePort();
  try {
    const server = await startEmbeddedPostgres({ dataDir, port, password: randomBytes(18).toString('base64url') });
    return {
      url: server.url,
      description: `embedded PostgreSQL on 127.0.0.1:${port} (${dataDir}, deleted afterwards)`,
      dataDir,
      async stop() {
        try {
          await server.stop();
        } finally {
          rmSync(dataDir, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** `18.1` or similar, for the report. */
export async function serverVersion(databaseUrl: string): Promise<string> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    return rows[0].server_version.split(' ')[0];
  } finally {
    await client.end();
  }
}
