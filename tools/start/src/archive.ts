import { existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { bootstrapServiceSchema } from '@compliance-graph/db';
import { LaunchError } from './launch-error';
import { pgToolsFor, runAgainst, runTool, serverMajor, type PgTools } from './pg-tools';

/** A `pg_restore --list` line that creates a schema: `3; 2615 16390 SCHEMA - identity identity_owner`. */
const SCHEMA_ENTRY = /^\d+; \d+ \d+ SCHEMA - (\S+) /;

/**
 * Dumps every schema in `schemas` (and nothing else) into one pg_dump custom-format archive at
 * `out`. It is written beside `out` first and renamed when pg_dump succeeded, so a failed
 * backup never leaves a file that looks like one.
 */
export async function backupSchemas(databaseUrl: string, schemas: string[], out: string): Promise<PgTools> {
  const tools = await pgToolsFor(await serverMajor(databaseUrl));
  const partial = `${out}.partial`;
  try {
    await runAgainst(tools.pgDump, databaseUrl, ['--format=custom', '--strict-names', '--no-password', `--file=${partial}`, ...schemas.map((s) => `--schema=${s}`)]);
    renameSync(partial, out);
  } finally {
    rmSync(partial, { force: true });
  }
  return tools;
}

async function schemasPresent(databaseUrl: string, schemas: string[]): Promise<string[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>('SELECT nspname AS name FROM pg_namespace WHERE nspname = ANY($1) ORDER BY 1', [schemas]);
    return rows.map((r) => r.name);
  } finally {
    await client.end();
  }
}

/**
 * Restores an archive of backupSchemas into a database that holds none of the schemas yet.
 * Roles are cluster-wide and not in the archive: the migrations' bootstrap creates (or
 * converges) them and the schemas first, exactly as on a migrated database, and the archive's
 * own CREATE SCHEMA entries are skipped; the archive then brings tables, rows, grants,
 * row-level security and functions, all in one transaction.
 */
export async function restoreSchemas(databaseUrl: string, schemas: string[], from: string): Promise<PgTools> {
  if (!existsSync(from)) throw new LaunchError(`--from ${from}: no such file`);
  const tools = await pgToolsFor(await serverMajor(databaseUrl));
  const present = await schemasPresent(databaseUrl, schemas);
  if (present.length) throw new LaunchError(`the database already holds ${present.join(', ')}; restore into a fresh database`);
  const listing = (await runTool(tools.pgRestore, ['--list', from])).split('\n');
  const archived = listing.flatMap((line) => SCHEMA_ENTRY.exec(line)?.[1] ?? []);
  if ([...archived].sort().join() !== [...schemas].sort().join()) {
    throw new LaunchError(`${from} holds the schemas ${archived.join(', ') || 'none'}, not the services' ${schemas.join(', ')}`);
  }
  for (const schema of schemas) await bootstrapServiceSchema(databaseUrl, schema);
  const dir = mkdtempSync(join(tmpdir(), 'cg-restore-'));
  try {
    const list = join(dir, 'restore.list');
    writeFileSync(list, listing.filter((line) => !SCHEMA_ENTRY.test(line)).join('\n'));
    await runAgainst(tools.pgRestore, databaseUrl, ['--exit-on-error', '--single-transaction', '--no-password', `--use-list=${list}`, from]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return tools;
}
