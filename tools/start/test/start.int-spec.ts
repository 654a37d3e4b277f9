import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { postGraphql } from '@compliance-graph/testing';

/**
 * `npm start` as a newcomer runs it: the built launcher, no DATABASE_URL (embedded
 * PostgreSQL), a fresh data directory. Ports are moved so a running dev instance is no
 * obstacle. Needs `npm run build` first, which `npm test` does.
 */
const ROOT = resolve(__dirname, '../../..');
const LAUNCHER = join(ROOT, 'tools/start/dist/main.js');
// Below Linux's ephemeral range (32768-60999), where the other suites' clients and servers take ports.
const base = 20000 + Math.floor(Math.random() * 12000);
const ports = {
  GATEWAY_PORT: base,
  IDENTITY_PORT: base + 1,
  EVIDENCE_PORT: base + 2,
  AUDIT_PORT: base + 3,
  SUBPROCESSORS_PORT: base + 4,
  EMBEDDED_PG_PORT: base + 5,
  GATEWAY_METRICS_PORT: base + 6,
  IDENTITY_METRICS_PORT: base + 7,
  EVIDENCE_METRICS_PORT: base + 8,
  AUDIT_METRICS_PORT: base + 9,
  SUBPROCESSORS_METRICS_PORT: base + 10,
};

interface Launch {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function launch(dataDir: string): Launch {
  const env: Record<string, string> = { ...(process.env as Record<string, string>), DATA_DIR: dataDir, LOG_LEVEL: 'info' };
  for (const [name, value] of Object.entries(ports)) env[name] = String(value);
  for (const name of ['DATABASE_URL', 'TEST_DATABASE_URL', 'ROUTER_SECRET', 'JWT_SIGNING_KEYS']) delete env[name];
  // Its own process group, like a terminal's foreground job: Ctrl-C reaches the whole group.
  const child = spawn(process.execPath, [LAUNCHER], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return { child, output: () => output, exited };
}

async function waitForReady(run: Launch, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!run.output().includes('Compliance Graph is ready:')) {
    if (run.child.exitCode !== null || Date.now() > deadline) throw new Error(`launcher did not get ready:\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const groupMembers = (pgid: number) =>
  spawnSync('pgrep', ['-g', String(pgid)], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);

async function pressCtrlC(run: Launch): Promise<number | null> {
  const pgid = run.child.pid!;
  process.kill(-pgid, 'SIGINT');
  const code = await run.exited;
  for (let i = 0; i < 50 && groupMembers(pgid).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
  return code;
}

async function query(dataDir: string, sql: string) {
  const password = readFileSync(join(dataDir, 'keys/postgres-password'), 'utf8').trim();
  const client = new Client({ host: '127.0.0.1', port: ports.EMBEDDED_PG_PORT, user: 'postgres', password, database: 'postgres' });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

/** The environment of each service process of the launcher's group, by its app. */
function serviceEnvironments(pgid: number): Record<string, string> {
  const environments: Record<string, string> = {};
  for (const pid of groupMembers(pgid)) {
    try {
      const app = /apps\/([a-z]+)\/dist\/main\.js/.exec(readFileSync(`/proc/${pid}/cmdline`, 'utf8'))?.[1];
      if (app) environments[app] = readFileSync(`/proc/${pid}/environ`, 'utf8');
    } catch {
      // a process that ended meanwhile (pgrep itself, a PostgreSQL backend)
    }
  }
  return environments;
}

const byApp = <T>(pgid: number, read: (environ: string) => T): Record<string, T> =>
  Object.fromEntries(Object.entries(serviceEnvironments(pgid)).map(([app, environ]) => [app, read(environ)]));

/** Each service process -> the key files whose value its environment holds (verbatim, also inside JSON or a URL). */
const secretsHeld = (pgid: number, keysDir: string) => {
  const keyFiles = readdirSync(keysDir).map((file) => ({ file, value: readFileSync(join(keysDir, file), 'utf8').trim() }));
  return byApp(pgid, (environ) => keyFiles.filter(({ value }) => value.length > 0 && environ.includes(value)).map(({ file }) => file).sort());
};

/** Each service process -> the users its DATABASE_URL and DATABASE_WORKER_URL log in as. */
const databaseLogins = (pgid: number) =>
  byApp(pgid, (environ) =>
    environ
      .split('\0')
      .filter((entry) => /^DATABASE_(WORKER_)?URL=/.test(entry))
      .map((entry) => decodeURIComponent(new URL(entry.slice(entry.indexOf('=') + 1)).username))
      .sort(),
  );

describe('npm start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cg-start-'));
  // Run as root, PostgreSQL runs as the `postgres` user, which must reach the data directory.
  chmodSync(dataDir, 0o755);
  const runs: Launch[] = [];

  afterAll(() => {
    for (const run of runs) if (run.child.exitCode === null) process.kill(-run.child.pid!, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts from nothing, answers through the gateway, stops without leftovers, and restarts on the same data', async () => {
    if (!existsSync(LAUNCHER)) throw new Error('tools/start is not built: run `npm run build` (npm test does)');

    const first = launch(dataDir);
    runs.push(first);
    await waitForReady(first);
    expect(first.output()).toContain(`Compliance Graph is ready: http://127.0.0.1:${ports.GATEWAY_PORT}/graphql`);
    const anonymous = await postGraphql(`http://127.0.0.1:${ports.GATEWAY_PORT}/graphql`, { query: '{ viewer { role } }' });
    expect(anonymous.body.errors[0].extensions).toEqual({ code: 'UNAUTHENTICATED' });
    // Each app serves /metrics on the port the launcher gave it, apart from its public one.
    const gatewayMetrics = await (await fetch(`http://127.0.0.1:${ports.GATEWAY_METRICS_PORT}/metrics`)).text();
    expect(gatewayMetrics).toContain('graphql_requests_total{operation="anonymous",code="UNAUTHENTICATED",service="gateway"} 1');
    for (const port of [ports.IDENTITY_METRICS_PORT, ports.EVIDENCE_METRICS_PORT, ports.AUDIT_METRICS_PORT, ports.SUBPROCESSORS_METRICS_PORT]) {
      expect(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).toContain('db_pool_connections{pool="request",state="total"');
    }
    await query(dataDir, `INSERT INTO identity.tenants (name, slug) VALUES ('Kept', 'kept-across-restarts')`);
    const routerSecret = readFileSync(join(dataDir, 'keys/router-secret'), 'utf8');
    // Each process holds only the secrets it uses: the gateway no signing key and no database,
    // the subgraphs neither the server's password nor the secret their own logins derive from.
    expect(secretsHeld(first.child.pid!, join(dataDir, 'keys'))).toEqual({
      gateway: ['router-secret'],
      identity: ['directory-token-subprocessors', 'encryption-key', 'ingest-token-identity', 'jwt-signing-keys.json', 'report-token-identity', 'router-secret'],
      evidence: ['ingest-token-evidence', 'proofpack-signing-keys.json', 'report-token-identity', 'router-secret'],
      audit: ['audit-signing-keys.json', 'ingest-token-evidence', 'ingest-token-identity', 'ingest-token-subprocessors', 'router-secret'],
      subprocessors: ['directory-token-subprocessors', 'ingest-token-subprocessors', 'router-secret', 'webhook-secret-key'],
    });
    // Identity's relay delivers to the audit port the launcher chose, not the default one.
    expect(byApp(first.child.pid!, (environ) => environ.split('\0').find((entry) => entry.startsWith('AUDIT_URL='))).identity).toBe(
      `AUDIT_URL=http://127.0.0.1:${ports.AUDIT_PORT}`,
    );
    expect(databaseLogins(first.child.pid!)).toEqual({
      gateway: [],
      identity: ['identity_app', 'identity_worker'],
      evidence: ['evidence_app', 'evidence_worker'],
      audit: ['audit_app', 'audit_worker'],
      subprocessors: ['subprocessors_app', 'subprocessors_worker'],
    });

    expect(await pressCtrlC(first)).toBe(0);
    expect(groupMembers(first.child.pid!)).toEqual([]);
    expect(existsSync(join(dataDir, 'postgres/postmaster.pid'))).toBe(false);

    const second = launch(dataDir);
    runs.push(second);
    await waitForReady(second);
    expect(readFileSync(join(dataDir, 'keys/router-secret'), 'utf8')).toBe(routerSecret);
    expect(await query(dataDir, `SELECT name FROM identity.tenants WHERE slug = 'kept-across-restarts'`)).toEqual([{ name: 'Kept' }]);
    expect(await pressCtrlC(second)).toBe(0);
    expect(groupMembers(second.child.pid!)).toEqual([]);
  }, 300_000);
});
