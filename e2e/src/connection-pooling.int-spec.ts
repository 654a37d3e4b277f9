import { randomUUID } from 'node:crypto';
import type { DataSource, QueryRunner } from 'typeorm';
import { openServicePool, withTenant } from '@compliance-graph/db';
import { admin, closeAdmin, pgbouncerConsole, testLoginUrls, testPgbouncerUrl } from '@compliance-graph/testing';
import { insertEvidence } from './fixtures';
import { migrateAll } from './stack';

/**
 * The services behind a transaction-pooling PgBouncer (CI runs the suite through one:
 * tools/pgbouncer/with-pgbouncer.sh): their logins really go through it, and a server connection
 * passes from one client to the next carrying nothing of the last transaction, not even what a
 * session-level statement set.
 */
const pooled = testPgbouncerUrl() !== undefined;
const SKIPPED = 'skipped: TEST_PGBOUNCER_URL is not set, the service logins reach PostgreSQL directly (run through tools/pgbouncer/with-pgbouncer.sh)';
if (!pooled) console.warn(`connection pooling: ${SKIPPED}`);

/** A row of the console's SHOW SERVERS (the columns used here). */
type PgbouncerServer = { user: string; database: string; state: string; remote_pid: string };

(pooled ? describe : describe.skip)(`service connections through PgBouncer${pooled ? '' : ` (${SKIPPED})`}`, () => {
  const tenant = randomUUID();
  let pool: DataSource;
  const runners: QueryRunner[] = [];

  beforeAll(async () => {
    await migrateAll();
    await insertEvidence(tenant, randomUUID(), 'pooled evidence');
    pool = await openServicePool({ databaseUrl: testLoginUrls('evidence').app, variable: 'DATABASE_URL', schema: 'evidence', role: 'app', poolSize: 2 });
  });
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((runner) => runner.release()));
  });
  afterAll(async () => {
    await pool.destroy();
    await closeAdmin();
  });

  /** A client connection of the pool of its own (to PgBouncer, not to a server). */
  const client = async () => {
    const runner = pool.createQueryRunner();
    await runner.connect();
    runners.push(runner);
    return runner;
  };
  const backendPid = async (runner: QueryRunner): Promise<number> => (await runner.query('SELECT pg_backend_pid() AS pid'))[0].pid;

  it("runs a service's transaction on one of PgBouncer's server connections for that login", async () => {
    const runner = await client();
    await runner.startTransaction();
    // Inside the transaction the server connection stays this client's, so the console sees it linked.
    const pid = await backendPid(runner);
    const servers = await pgbouncerConsole<PgbouncerServer>('SHOW SERVERS');
    await runner.commitTransaction();
    expect(servers.filter((server) => Number(server.remote_pid) === pid)).toEqual([
      expect.objectContaining({ user: 'evidence_app', database: new URL(testLoginUrls('evidence').app).pathname.slice(1), state: 'active' }),
    ]);
    expect(new URL(testLoginUrls('evidence').app).port).toBe(new URL(testPgbouncerUrl()!).port);
  });

  it('refuses a service login whose password is wrong: PgBouncer checks it against the role\'s SCRAM verifier, it does not trust', async () => {
    const wrong = new URL(testLoginUrls('evidence').app);
    wrong.password = 'not-the-password';
    await expect(openServicePool({ databaseUrl: wrong.toString(), variable: 'DATABASE_URL', schema: 'evidence', role: 'app', poolSize: 1 })).rejects.toThrow(
      'SASL authentication failed',
    );
  });

  it('hands a server connection to the next client with no tenant, search_path, role or advisory lock of the last', async () => {
    const first = await client();
    const second = await client();
    const lock = Math.floor(Math.random() * 2 ** 31);

    // While the first client's transaction holds its server connection, the second gets another.
    await first.startTransaction();
    const firstServer = await backendPid(first);
    expect(await backendPid(second)).not.toBe(firstServer);

    // Session-level, not transaction-local: what a bug or an injected statement might do.
    await first.query(`SET app.tenant_id = '${tenant}'`);
    await first.query('SET search_path = public, evidence');
    await first.query('SET ROLE evidence_app');
    await first.query('SELECT pg_advisory_lock($1)', [lock]);
    expect(await first.query('SELECT title FROM evidence WHERE tenant_id = $1', [tenant])).toEqual([{ title: 'pooled evidence' }]);
    await first.commitTransaction();

    // Every server connection of this login at once, each in a transaction: PgBouncer hands out
    // idle server connections before it opens new ones and never more than its pool size for one
    // login, so the first's is among them, whatever order it keeps them in.
    const [{ value: poolSize }] = (await pgbouncerConsole<{ key: string; value: string }>('SHOW CONFIG')).filter((row) => row.key === 'default_pool_size');
    const everyServer = await openServicePool({ databaseUrl: testLoginUrls('evidence').app, variable: 'DATABASE_URL', schema: 'evidence', role: 'app', poolSize: Number(poolSize) });
    const states = await Promise.all(
      Array.from({ length: Number(poolSize) }, async () => {
        const runner = everyServer.createQueryRunner();
        await runner.startTransaction();
        const [state] = await runner.query(
          `SELECT pg_backend_pid() AS pid, coalesce(current_setting('app.tenant_id', true), '') AS tenant, current_setting('search_path') AS search_path,
                  current_setting('role') AS role, (SELECT count(*)::int FROM evidence WHERE tenant_id = $1) AS rows_seen`,
          [tenant],
        );
        return { runner, state };
      }),
    );
    for (const { runner } of states) {
      await runner.commitTransaction();
      await runner.release();
    }
    await everyServer.destroy();
    expect(states.map(({ state }) => state).filter((state) => state.pid === firstServer)).toEqual([
      { pid: firstServer, tenant: '', search_path: 'evidence', role: 'none', rows_seen: 0 },
    ]);
    const { rows: held } = await admin().query(`SELECT objid FROM pg_locks WHERE locktype = 'advisory' AND pid = $1`, [firstServer]);
    expect(held).toEqual([]);
  });

  it('still scopes a transaction to its tenant with the transaction-local setting, and only that transaction', async () => {
    expect(await withTenant(pool, tenant, (tx) => tx.query('SELECT title FROM evidence'))).toEqual([{ title: 'pooled evidence' }]);
    expect(await pool.query('SELECT count(*)::int AS n FROM evidence')).toEqual([{ n: 0 }]);
  });
});
