import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { Agent, request } from 'undici';
import { defineBench, step } from './bench';
import { closedLoop, errorCount } from './closed-loop';
import { gatewayGraphql } from './gateway-graphql';
import { number } from './options';
import { startPlatform } from './platform';
import { startBenchPostgres } from './postgres';
import { summarise, timed } from './stats';
import { figure, ms, table } from './table';

const DAY_MS = 86_400_000;
const REGISTER = 'query ($at: DateTime) { subprocessors(asOf: $at) { id name locations status activeFrom } }';

/**
 * One tenant's register written straight into the subprocessors schema, as the superuser: each of
 * `entries` entries added `historyDays` ago, then updated `changesPerEntry - 1` times at evenly
 * spaced moments since, every change in effect, each UPDATED carrying before and after as the
 * service writes them. Seconds instead of thousands of announcements through the gateway.
 */
async function seedRegister(db: Client, tenantId: string, entries: number, changesPerEntry: number, historyDays: number): Promise<void> {
  await db.query(
    `WITH e AS (
       INSERT INTO subprocessors.subprocessors (id, tenant_id) SELECT gen_random_uuid(), $1 FROM generate_series(1, $2::int) RETURNING id
     ), numbered AS (SELECT id, row_number() OVER () AS n FROM e),
     versions AS (
       SELECT numbered.id AS subprocessor_id, numbered.n, v,
              now() - make_interval(secs => ($4::float8 * 86400) * (1 - (v - 1)::float8 / $3::int)) AS at,
              jsonb_build_object('name', 'Processor ' || numbered.n, 'legalEntity', 'Processor ' || numbered.n || ' GmbH',
                'website', 'https://processor-' || numbered.n || '.example', 'purpose', 'Hosting, version ' || v,
                'dataCategories', jsonb_build_array('contact data', 'usage data'), 'locations', jsonb_build_array('DE', 'IE'),
                'transferMechanism', 'SCC') AS entry
         FROM numbered, generate_series(1, $3::int) v
     )
     INSERT INTO subprocessors.changes (id, tenant_id, subprocessor_id, kind, status, before, after, announced_at, effective_at, objection_deadline, announced_by_kind)
     SELECT gen_random_uuid(), $1, subprocessor_id, CASE WHEN v = 1 THEN 'ADDED' ELSE 'UPDATED' END, 'EFFECTIVE',
            CASE WHEN v = 1 THEN NULL ELSE lag(entry) OVER (PARTITION BY subprocessor_id ORDER BY v) END, entry, at, at, at, 'SYSTEM'
       FROM versions`,
    [tenantId, entries, changesPerEntry, historyDays],
  );
}

export const subprocessorsBench = defineBench({
  summary: 'subprocessors: the register as of a date by the length of its history, and the public feed with and without If-None-Match',
  options: {
    entries: number(500, 'entries of each register', { min: 1, max: 100_000, integer: true }),
    changes: number(5000, 'changes of the long history (the short one has one per entry)', { min: 1, integer: true }),
    requests: number(300, 'register requests per history (sequential; p50/p99 over them)', { min: 10, integer: true }),
    seconds: number(5, 'length of each feed row in seconds', { min: 0.5 }),
    clients: number(16, 'concurrent feed readers', { min: 1, max: 1000, integer: true }),
  },
  async run(options, { signal, onStop, print, progress }) {
    if (options.changes < options.entries) throw new Error('--changes must be at least --entries (every entry has its addition)');
    const postgres = await step('starting PostgreSQL', startBenchPostgres);
    onStop(postgres.stop);
    // No background work while statements are counted (relays, checkpoints, schedulers).
    const stack = await step('starting the platform', () =>
      startPlatform(postgres, { OUTBOX_RELAY: 'off', AUDIT_CHECKPOINT_INTERVAL_SECONDS: '0', ACCESS_REVIEW_SCHEDULER_INTERVAL_SECONDS: '0', CHANGE_SCHEDULER_INTERVAL_MS: '0' }),
    );
    onStop(stack.stop);
    const graphql = gatewayGraphql(stack.gatewayUrl);
    const db = new Client({ connectionString: postgres.url });
    await db.connect();
    onStop(() => db.end());
    print(`postgres: PostgreSQL ${postgres.version}, ${postgres.description}`);
    const run = randomBytes(4).toString('hex');
    const historyDays = 365;

    const histories = [
      { label: 'short', changesPerEntry: 1 },
      { label: 'long', changesPerEntry: Math.round(options.changes / options.entries) },
    ];
    const registerRows = [];
    let feedTenant: { slug: string } | undefined;
    for (const history of histories) {
      const signedUp = await graphql('mutation ($i: SignUpInput!) { signUp(input: $i) { accessToken tenant { id slug } } }', {
        i: { tenantSlug: `register-${run}-${history.label}`, tenantName: `Register ${history.label}`, email: `owner@register-${run}-${history.label}.example`, password: `bench password ${run}`, displayName: 'Bench owner' },
      });
      const { accessToken: owner, tenant } = signedUp.signUp;
      progress(`seeding ${options.entries} entries with ${history.changesPerEntry} change(s) each`);
      await seedRegister(db, tenant.id, options.entries, history.changesPerEntry, historyDays);
      await db.query('ANALYZE subprocessors.changes, subprocessors.subprocessors');
      await graphql('mutation { updateTenantSettings(input: { publicSubprocessorPage: true }) { publicSubprocessorPage } }', {}, owner);
      feedTenant = tenant;

      progress(`reading the register at random moments of its history, ${options.requests} times`);
      const at = () => new Date(Date.now() - Math.random() * historyDays * DAY_MS).toISOString();
      const first = await graphql(REGISTER, { at: null }, owner);
      if (first.subprocessors.length !== options.entries) throw new Error(`the register holds ${first.subprocessors.length} entries, not ${options.entries}`);
      await postgres.resetSql();
      const samples: number[] = [];
      for (let n = 0; n < options.requests; n++) samples.push(await timed(() => graphql(REGISTER, { at: at() }, owner)));
      const sql = await postgres.readSql();
      const latency = summarise(samples);
      registerRows.push({ history: history.label, changes: options.entries * history.changesPerEntry, p50: latency.p50, p99: latency.p99, statementsPerRequest: sql.statements / options.requests });
    }

    // Feed readers poll the Atom feed through the gateway's public origin, with and without the ETag they got last time.
    const feedUrl = `${stack.gatewayUrl}/public/${feedTenant!.slug}/subprocessors.atom`;
    const agent = new Agent({ connections: options.clients, pipelining: 1 });
    onStop(() => agent.close());
    const firstFeed = await request(feedUrl, { dispatcher: agent });
    const etag = firstFeed.headers.etag as string;
    await firstFeed.body.dump();
    if (firstFeed.statusCode !== 200 || !etag) throw new Error(`the feed answered ${firstFeed.statusCode} without an ETag`);
    const feedRows = [];
    for (const variant of [
      { label: 'GET', headers: {}, expected: 200 },
      { label: 'GET with If-None-Match', headers: { 'if-none-match': etag }, expected: 304 },
    ]) {
      progress(`${variant.label}: ${options.seconds} s with ${options.clients} readers`);
      const result = await closedLoop(options.clients, options.seconds, signal, async () => {
        const answer = await request(feedUrl, { dispatcher: agent, headers: variant.headers });
        await answer.body.dump();
        return answer.statusCode === variant.expected ? undefined : `HTTP ${answer.statusCode}`;
      });
      feedRows.push({ variant: variant.label, perSecond: result.ok / result.seconds, p50: result.latency.p50, p99: result.latency.p99, errors: errorCount(result), result });
    }

    print();
    print(`\`subprocessors(asOf:)\` through the gateway for a register of ${options.entries} entries, one request at a time, asOf at random moments of the last ${historyDays} days`);
    print(
      table(registerRows, {
        history: (r) => `${figure(r.changes, 0)} changes`,
        p50: (r) => ms(r.p50),
        p99: (r) => ms(r.p99),
        'SQL per request': (r) => figure(r.statementsPerRequest),
      }),
    );
    print();
    print(`\`GET /public/<slug>/subprocessors.atom\` through the gateway (the long history's tenant), ${options.clients} readers, keep-alive`);
    print(
      table(feedRows, {
        request: (r) => r.variant,
        'requests/s': (r) => figure(r.perSecond),
        p50: (r) => ms(r.p50),
        p99: (r) => ms(r.p99),
        errors: (r) => r.errors,
      }),
    );
    const failures = [
      ...feedRows.filter((r) => r.errors > 0).map((r) => `${r.variant}: ${JSON.stringify(r.result.errors)}`),
      // Whole statements: the gateway's session checks (one per token every few seconds) add fractions over a longer row.
      ...(Math.round(registerRows[1].statementsPerRequest) > Math.round(registerRows[0].statementsPerRequest) ? ['the register costs more statements with a longer history'] : []),
    ];
    return { figures: { entries: options.entries, register: registerRows, feed: feedRows.map(({ result: _result, ...row }) => row) }, failures };
  },
});
