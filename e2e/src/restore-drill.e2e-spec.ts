import { execFile } from 'node:child_process';
import { createPublicKey, randomBytes, type JsonWebKey } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { checkpointOrigin, verifyCheckpoint, verifyConsistency } from '@compliance-graph/audit-log';
import { pgToolsFor, serverMajor } from '@compliance-graph/start';
import type { CheckpointFile } from '@compliance-graph/verify';
import { PLATFORM_TENANT_ID, ROUTER_SECRET_HEADER } from '@compliance-graph/auth';
import { admin, bearer, closeAdmin, mintToken, postGraphql, principal, testDatabaseUrl } from '@compliance-graph/testing';
import { signUp, type AuthPayload } from './accounts';
import { codeOf, graphqlClient } from './graphql-client';
import { ROUTER_SECRET, SERVICES, startStack, type Stack } from './stack';

const TOOLS = join(__dirname, '../../tools/start/dist');
const execFileAsync = promisify(execFile);
const SCHEMAS = SERVICES.map((s) => s.schema);

const CHECKPOINT = '{ auditCheckpoint { origin treeSize rootHash body signature keyId } }';
const SETTINGS_UPDATES = `{ auditEvents(first: 200, filter: { action: "tenant.settings_updated" }) { nodes { seq } } }`;
const VERIFY = '{ verifyAuditLog { ok eventsChecked treeSize rootHash firstInvalidSeq } }';
const PROOF = 'query ($from: Int!, $to: Int!) { auditConsistencyProof(fromSize: $from, toSize: $to) { fromSize toSize path } }';
const PUBLIC_KEYS = '{ auditPublicKeys { keyId publicKeyJwk } }';
const RENAME = 'mutation ($name: String!) { updateTenantSettings(input: { name: $name }) { name } }';

/**
 * `npm run db:backup` / `db:restore` as an operator runs them (the built CLIs); the exit code and
 * output are what the test sees. Run without blocking: the platform under test lives in this
 * process, and an event loop held for seconds makes its servers drop their kept-alive sockets.
 */
const cli = async (script: 'backup.js' | 'restore.js', args: string[]) => {
  try {
    const { stdout } = await execFileAsync(process.execPath, [join(TOOLS, script), ...args], {
      env: { ...process.env, DATABASE_URL: testDatabaseUrl() },
      encoding: 'utf8',
    });
    return { status: 0, output: stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { status: failed.code, output: `${failed.stdout}${failed.stderr}` };
  }
};

const databaseUrl = (name: string) => {
  const url = new URL(testDatabaseUrl());
  url.pathname = `/${name}`;
  return url.toString();
};

/** Runs `sql` on the database at `url` as the superuser. */
async function rowsOn<R>(url: string, sql: string, params: unknown[] = []): Promise<R[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as R[];
  } finally {
    await client.end();
  }
}

/** The service schemas' security as the catalog holds it: RLS flags, policies, grants, owners, functions, triggers. */
async function securityCatalog(url: string): Promise<unknown[]> {
  const queries = [
      `SELECT nspname, pg_get_userbyid(nspowner) AS owner, nspacl::text AS acl FROM pg_namespace WHERE nspname = ANY($1) ORDER BY 1`,
      `SELECT n.nspname, c.relname, c.relkind, pg_get_userbyid(c.relowner) AS owner, c.relrowsecurity, c.relforcerowsecurity, c.relacl::text AS acl
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ANY($1) ORDER BY 1, 2`,
      `SELECT n.nspname, c.relname, p.polname, p.polcmd, pg_get_expr(p.polqual, p.polrelid) AS using, pg_get_expr(p.polwithcheck, p.polrelid) AS check
         FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ANY($1) ORDER BY 1, 2, 3`,
      `SELECT n.nspname, p.proname, pg_get_userbyid(p.proowner) AS owner, p.prosecdef, p.proacl::text AS acl, p.proconfig::text AS config
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = ANY($1) ORDER BY 1, 2`,
      `SELECT n.nspname, c.relname, t.tgname, t.tgenabled FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ANY($1) AND NOT t.tgisinternal ORDER BY 1, 2, 3`,
      `SELECT pg_get_userbyid(d.defaclrole) AS role, n.nspname, d.defaclobjtype, d.defaclacl::text AS acl
         FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
        WHERE pg_get_userbyid(d.defaclrole) IN (SELECT s || '_owner' FROM unnest($1::text[]) s) ORDER BY 1, 2, 3`,
  ];
  const answers = [];
  for (const sql of queries) answers.push(await rowsOn(url, sql, [SCHEMAS]));
  return answers;
}

/**
 * The restore drill: backups of the platform restore into fresh databases, the platform starts on
 * them and every tenant's log verifies; and a rollback to an older backup cannot hide, because a
 * tenant that kept a newer signed checkpoint gets no consistency proof from the restored log to it,
 * and once the restored log grows past it, a proof that fails verification.
 */
describe('restore drill', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cg-backup-'));
  const databases: string[] = [];
  let stack: Stack | undefined;
  let gql: ReturnType<typeof graphqlClient>;

  /** A fresh database beside the test database, dropped when the drill ends. */
  const freshDatabase = async (kind: string) => {
    const name = `${new URL(testDatabaseUrl()).pathname.slice(1)}_restore_${kind}_${randomBytes(4).toString('hex')}`;
    await admin().query(`CREATE DATABASE ${name}`);
    databases.push(name);
    return databaseUrl(name);
  };

  /** Starts the platform on `url`, as the test stack does on the test database (same keys, same logins, since roles are cluster-wide). */
  const startOn = async (url: string) => {
    await stack?.stop();
    process.env.TEST_DATABASE_URL = url;
    stack = await startStack();
    gql = graphqlClient(stack.gatewayUrl);
  };

  const checkpointOf = async (owner: AuthPayload): Promise<CheckpointFile> => (await gql(CHECKPOINT, {}, owner.accessToken)).data.auditCheckpoint;

  /** Renames the tenant and waits until its log holds `updates` settings changes in all; then its latest checkpoint. */
  const rename = async (owner: AuthPayload, name: string, updates: number): Promise<CheckpointFile> => {
    expect((await gql(RENAME, { name }, owner.accessToken)).data?.updateTenantSettings.name).toBe(name);
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
      const logged = (await gql(SETTINGS_UPDATES, {}, owner.accessToken)).data?.auditEvents.nodes ?? [];
      if (logged.length === updates) return checkpointOf(owner);
    }
    throw new Error(`the log of ${owner.tenant.slug} never held ${updates} settings changes`);
  };

  /**
   * verifyAuditLog of every tenant with a log on the database, each asked by an AUDITOR of that
   * tenant straight at the audit service (as the gateway forwards it), a few at a time: the
   * tenants whose log fails, and the answers that are no verification at all. The platform log
   * is no tenant's (no token may name it): `npm run operator -- audit verify` checks it
   * (e2e/src/platform-audit.e2e-spec.ts).
   */
  const everyLog = async (url: string) => {
    const tenants = await rowsOn<{ tenant_id: string }>(url, 'SELECT tenant_id FROM audit.log_heads WHERE tenant_id <> $1 ORDER BY tenant_id', [PLATFORM_TENANT_ID]);
    const failing: string[] = [];
    const unanswered: unknown[] = [];
    for (let start = 0; start < tenants.length; start += 8) {
      await Promise.all(
        tenants.slice(start, start + 8).map(async ({ tenant_id }) => {
          const token = await mintToken(principal(tenant_id, 'AUDITOR'));
          const answer = await postGraphql(`${stack!.subgraphUrls.audit}/graphql`, { query: VERIFY }, { [ROUTER_SECRET_HEADER]: ROUTER_SECRET, ...bearer(token) });
          const verification = answer.body.data?.verifyAuditLog;
          if (!verification) unanswered.push({ tenant_id, answer: answer.body });
          else if (!verification.ok) failing.push(tenant_id);
        }),
      );
    }
    return { tenants: tenants.length, failing: failing.sort(), unanswered };
  };

  const verified = async (owner: AuthPayload) => (await gql(VERIFY, {}, owner.accessToken)).data?.verifyAuditLog;

  const original = testDatabaseUrl();
  afterAll(async () => {
    await stack?.stop();
    process.env.TEST_DATABASE_URL = original;
    for (const name of databases) await admin().query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await closeAdmin();
    rmSync(dir, { recursive: true, force: true });
  });

  it('restores backups into fresh databases, verifies every tenant’s log on them, and exposes a rollback to an older backup', async () => {
    // The embedded server of a machine without DATABASE_URL ships no pg_dump: there, a backup is a clear refusal.
    const missingTools = await pgToolsFor(await serverMajor(original)).then(() => undefined, (error: Error) => error);
    if (missingTools) {
      expect(await cli('backup.js', ['--out', join(dir, 'none.dump')])).toMatchObject({ status: 1, output: expect.stringContaining(missingTools.message) });
      return;
    }
    await startOn(original);
    const owners = [await signUp(gql, 'Drill'), await signUp(gql, 'Other')];
    const checkpointA = await rename(owners[0], 'Drill A', 1);
    await rename(owners[1], 'Other A', 1);
    const backupA = join(dir, 'a.dump');
    expect(await cli('backup.js', ['--out', backupA])).toMatchObject({ status: 0 });

    // After backup A the log grows, and the tenant keeps the newer signed checkpoint (as an auditor would).
    await rename(owners[0], 'Drill B', 2);
    const kept = await rename(owners[0], 'Drill B2', 3);
    expect(kept.treeSize).toBeGreaterThan(checkpointA.treeSize);
    const keys: Array<{ keyId: string; publicKeyJwk: JsonWebKey }> = (await gql(PUBLIC_KEYS, {}, owners[0].accessToken)).data.auditPublicKeys;
    const signer = createPublicKey({ key: keys.find((key) => key.keyId === kept.keyId)!.publicKeyJwk, format: 'jwk' });
    expect(verifyCheckpoint(kept, signer)).toEqual({ origin: checkpointOrigin(owners[0].tenant.id), treeSize: kept.treeSize, rootHash: Buffer.from(kept.rootHash, 'hex') });
    const otherLog = await verified(owners[1]);
    // Into a directory, the archive gets a name of its own.
    // The test database is shared: the audit spec tampers with some tenants' logs on purpose, so
    // the restore must verify exactly as the source does, not hide tampering nor add failures.
    const sourceBefore = await everyLog(original);
    const backupsDir = join(dir, 'backups');
    mkdirSync(backupsDir);
    expect(await cli('backup.js', ['--out', backupsDir])).toMatchObject({ status: 0 });
    const [named] = readdirSync(backupsDir);
    expect(named).toMatch(/^compliance-graph-\d{4}-\d\d-\d\dT[\d-]+Z\.dump$/);
    const backupB = join(backupsDir, named);
    const sourceAfter = await everyLog(original);
    const migratedCatalog = await securityCatalog(original);

    // Restoring into a database that already holds the schemas is refused and changes nothing.
    const refused = await cli('restore.js', ['--from', backupB, '--database', original]);
    expect(refused.status).toBe(1);
    expect(refused.output).toContain('restore into a fresh database');
    expect(await cli('restore.js', ['--from', join(dir, 'missing.dump'), '--database', original])).toMatchObject({ status: 1 });
    expect(await cli('restore.js', ['--from', backupB])).toMatchObject({ status: 2, output: expect.stringContaining('--database required') });

    // Backup B: same roles, grants and row-level security as the migrated database; same logs; the platform answers.
    const restoredB = await freshDatabase('b');
    expect(await cli('restore.js', ['--from', backupB, '--database', restoredB])).toMatchObject({ status: 0 });
    const restoredCatalog = await securityCatalog(restoredB);
    expect(restoredCatalog).toEqual(migratedCatalog);
    expect((restoredCatalog[1] as Array<{ relforcerowsecurity: boolean }>).filter((table) => table.relforcerowsecurity).length).toBeGreaterThan(10);
    await startOn(restoredB);
    expect((await gql('{ tenant { name } }', {}, owners[0].accessToken)).data?.tenant.name).toBe('Drill B2');
    const restoredLogs = await everyLog(restoredB);
    expect([sourceBefore.unanswered, restoredLogs.unanswered, sourceAfter.unanswered]).toEqual([[], [], []]);
    expect(restoredLogs.tenants).toBeGreaterThanOrEqual(sourceBefore.tenants);
    expect(restoredLogs.failing).toEqual(expect.arrayContaining(sourceBefore.failing));
    expect(sourceAfter.failing).toEqual(expect.arrayContaining(restoredLogs.failing));
    expect(await checkpointOf(owners[0])).toMatchObject({ treeSize: kept.treeSize, rootHash: kept.rootHash });
    expect(await verified(owners[0])).toMatchObject({ ok: true, treeSize: kept.treeSize, rootHash: kept.rootHash, firstInvalidSeq: null });
    expect(await verified(owners[1])).toEqual(otherLog);
    expect(otherLog).toMatchObject({ ok: true, firstInvalidSeq: null });
    const grown = (await gql(PROOF, { from: checkpointA.treeSize, to: kept.treeSize }, owners[0].accessToken)).data.auditConsistencyProof;
    const hash = (hex: string) => Buffer.from(hex, 'hex');
    expect(verifyConsistency(checkpointA.treeSize, kept.treeSize, hash(checkpointA.rootHash), hash(kept.rootHash), grown.path.map(hash))).toBe(true);

    // Backup A, the rollback: its log verifies on its own, but not against the checkpoint the tenant kept.
    const restoredA = await freshDatabase('a');
    expect(await cli('restore.js', ['--from', backupA, '--database', restoredA])).toMatchObject({ status: 0 });
    await startOn(restoredA);
    expect((await gql('{ tenant { name } }', {}, owners[0].accessToken)).data?.tenant.name).toBe('Drill A');
    const rolledBack = await checkpointOf(owners[0]);
    expect(rolledBack).toMatchObject({ treeSize: checkpointA.treeSize, rootHash: checkpointA.rootHash });
    expect(await verified(owners[0])).toMatchObject({ ok: true, treeSize: checkpointA.treeSize });
    const noProof = await gql(PROOF, { from: rolledBack.treeSize, to: kept.treeSize }, owners[0].accessToken);
    expect(codeOf(noProof)).toBe('BAD_USER_INPUT');
    expect(noProof.errors?.[0].message).toBe(`Sizes must satisfy 0 <= fromSize <= toSize <= ${checkpointA.treeSize}`);

    // The restored log grows past the kept size with other events: a proof comes, and it fails.
    let forked: CheckpointFile = rolledBack;
    for (let updates = 2; forked.treeSize <= kept.treeSize; updates += 1) forked = await rename(owners[0], `Fork ${updates}`, updates);
    expect(verifyCheckpoint(forked, signer)).toMatchObject({ origin: kept.origin, treeSize: forked.treeSize });
    const proof = (await gql(PROOF, { from: kept.treeSize, to: forked.treeSize }, owners[0].accessToken)).data.auditConsistencyProof;
    expect(proof).toMatchObject({ fromSize: kept.treeSize, toSize: forked.treeSize });
    expect(verifyConsistency(kept.treeSize, forked.treeSize, hash(kept.rootHash), hash(forked.rootHash), proof.path.map(hash))).toBe(false);
  }, 240_000);
});
