import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { defineBench, step } from './bench';
import { gatewayGraphql } from './gateway-graphql';
import { number, numbers } from './options';
import { startPlatform } from './platform';
import { startBenchPostgres, type SqlCount } from './postgres';
import { elapsedMs, peakRss, summarise } from './stats';
import { figure, ms, table } from './table';

const START = 'mutation ($t: String!, $d: DateTime!) { startAccessReview(title: $t, dueAt: $d) { id summary { total } } }';
const PAGE = `query ($id: ID!, $after: String) { accessReview(id: $id) { items(first: 200, after: $after) {
  totalCount pageInfo { endCursor hasNextPage } nodes { id roleAtStart flags signals { code reason } membership { id role user { id displayName } } } } } }`;
const DECIDE = 'mutation ($id: ID!) { decideAccessReviewItem(itemId: $id, decision: REVOKE, justification: "left the company") { id } }';
const COMPLETE = 'mutation ($id: ID!) { completeAccessReview(id: $id) { id status summary { revoked } } }';

/**
 * `count` users, each a MEMBER of one of `tenants` new tenants (or of `tenantId`), a tenth of
 * them signed in within the last 90 days: written by one statement each, as the superuser, so
 * seeding a million rows takes seconds rather than a million sign-ups.
 */
async function seedMemberships(db: Client, emailTag: string, count: number, target: { tenantId: string } | { tenants: number }) {
  const tenants =
    'tenantId' in target
      ? `tn AS (SELECT $3::uuid AS id, 0::bigint AS n)`
      : `t AS (INSERT INTO identity.tenants (name, slug) SELECT 'Other ' || g, 'other-' || $1 || '-' || g FROM generate_series(1, $3::int) g RETURNING id),
         tn AS (SELECT id, row_number() OVER () - 1 AS n FROM t)`;
  await db.query(
    `WITH ${tenants},
          u AS (INSERT INTO identity.users (email, display_name) SELECT 'u' || g || '@' || $1 || '.example', 'User ' || g FROM generate_series(1, $2::int) g RETURNING id),
          un AS (SELECT id, row_number() OVER () - 1 AS n FROM u)
     INSERT INTO identity.memberships (tenant_id, user_id, role, last_sign_in_at)
     SELECT tn.id, un.id, 'MEMBER', CASE WHEN un.n % 10 = 0 THEN now() - interval '3 days' END
       FROM un JOIN tn ON tn.n = un.n % (SELECT count(*) FROM tn)`,
    [emailTag, count, 'tenantId' in target ? target.tenantId : target.tenants],
  );
}

export const accessReviewBench = defineBench({
  summary: 'access-review: start, a page of items, and completion with revocations, for a tenant of N memberships among a million rows of other tenants',
  options: {
    members: numbers([1000, 10000], 'memberships of the reviewed tenant, one run each', { min: 10, max: 100_000, integer: true }),
    others: number(1_000_000, 'membership rows of other tenants', { min: 0, integer: true }),
    otherTenants: number(1000, 'tenants those rows belong to', { min: 1, integer: true }),
    revokeShare: number(0.1, 'share of the items decided REVOKE before completion', { min: 0, max: 1 }),
    pages: number(5, 'item pages read (the median is reported)', { min: 1, integer: true }),
  },
  async run(options, { onStop, print, progress }) {
    const postgres = await step('starting PostgreSQL', startBenchPostgres);
    onStop(postgres.stop);
    // No background work while statements are counted: relays, checkpoints and schedules would add theirs to every figure.
    const stack = await step('starting the platform', () =>
      startPlatform(postgres, { OUTBOX_RELAY: 'off', AUDIT_CHECKPOINT_INTERVAL_SECONDS: '0', ACCESS_REVIEW_SCHEDULER_INTERVAL_SECONDS: '0' }),
    );
    onStop(stack.stop);
    const graphql = gatewayGraphql(stack.gatewayUrl);
    const db = new Client({ connectionString: postgres.url });
    await db.connect();
    onStop(() => db.end());
    const run = randomBytes(4).toString('hex');
    if (options.others > 0) {
      progress(`seeding ${figure(options.others, 0)} memberships in ${options.otherTenants} other tenants`);
      await step('seeding other tenants', () => seedMemberships(db, `others-${run}`, options.others, { tenants: options.otherTenants }));
      await db.query('ANALYZE');
    }
    print(`postgres: PostgreSQL ${postgres.version}, ${postgres.description}; ${figure(options.others, 0)} membership rows of other tenants`);

    /** Runs `work` once and counts the services' statements and the process's peak memory (platform and client share it). */
    const measure = async <T>(work: () => Promise<T>) => {
      await postgres.resetSql();
      const started = process.hrtime.bigint();
      const { result, peakMiB } = await peakRss(work);
      const timeMs = elapsedMs(started);
      const sql: SqlCount = await postgres.readSql();
      return { result, timeMs, statements: sql.statements, peakMiB };
    };

    const rows = [];
    for (const members of options.members) {
      const signedUp = await graphql('mutation ($i: SignUpInput!) { signUp(input: $i) { accessToken tenant { id } } }', {
        i: { tenantSlug: `review-${run}-${members}`, tenantName: `Reviewed ${members}`, email: `owner@review-${run}-${members}.example`, password: `bench password ${run}`, displayName: 'Bench owner' },
      });
      const owner: string = signedUp.signUp.accessToken;
      progress(`seeding ${members} memberships of the reviewed tenant`);
      await seedMemberships(db, `reviewed-${run}-${members}`, members - 1, { tenantId: signedUp.signUp.tenant.id });
      await db.query('ANALYZE identity.memberships, identity.users');

      progress(`starting a review of ${members} memberships`);
      const started = await measure(() => graphql(START, { t: `Bench review of ${members}`, d: new Date(Date.now() + 14 * 86_400_000).toISOString() }, owner));
      const reviewId: string = started.result.startAccessReview.id;
      if (started.result.startAccessReview.summary.total !== members) throw new Error(`the review holds ${started.result.startAccessReview.summary.total} items, not ${members}`);

      const pageMs: number[] = [];
      let page = await measure(() => graphql(PAGE, { id: reviewId }, owner));
      pageMs.push(page.timeMs);
      for (let n = 1; n < options.pages; n++) pageMs.push((await measure(() => graphql(PAGE, { id: reviewId }, owner))).timeMs);

      // The first items in id order, which are anyone's but the owner's own (that one is skipped).
      const toRevoke = Math.round(members * options.revokeShare);
      progress(`deciding ${toRevoke} items REVOKE`);
      const itemIds: string[] = [];
      for (let after: string | null = null; itemIds.length < toRevoke; ) {
        const nodes: any[] = page.result.accessReview.items.nodes;
        itemIds.push(...nodes.filter((item) => item.roleAtStart !== 'OWNER').map((item) => item.id));
        after = page.result.accessReview.items.pageInfo.endCursor;
        if (!page.result.accessReview.items.pageInfo.hasNextPage) break;
        page = await measure(() => graphql(PAGE, { id: reviewId, after }, owner));
      }
      const decideMs: number[] = [];
      for (const id of itemIds.slice(0, toRevoke)) {
        const started = process.hrtime.bigint();
        await graphql(DECIDE, { id }, owner);
        decideMs.push(elapsedMs(started));
      }

      progress(`completing it (${toRevoke} revocations)`);
      const completed = await measure(() => graphql(COMPLETE, { id: reviewId }, owner));
      if (completed.result.completeAccessReview.summary.revoked !== toRevoke) throw new Error(`completion revoked ${completed.result.completeAccessReview.summary.revoked}, not ${toRevoke}`);
      rows.push({
        members,
        revocations: toRevoke,
        start: { ms: started.timeMs, statements: started.statements, peakRssMiB: started.peakMiB },
        page: { medianMs: summarise(pageMs).p50, statements: page.statements },
        decide: { medianMs: summarise(decideMs).p50 },
        complete: { ms: completed.timeMs, statements: completed.statements, peakRssMiB: completed.peakMiB },
      });
    }

    print();
    print('Through the gateway, one request at a time; statements are what the services ran (pg_stat_statements); RSS is this process, which holds the platform and the client');
    print(
      table(rows, {
        memberships: (r) => figure(r.members, 0),
        start: (r) => ms(r.start.ms),
        'start SQL': (r) => figure(r.start.statements, 0),
        'page of 200': (r) => ms(r.page.medianMs),
        'page SQL': (r) => figure(r.page.statements, 0),
        decision: (r) => ms(r.decide.medianMs),
        revocations: (r) => figure(r.revocations, 0),
        complete: (r) => ms(r.complete.ms),
        'complete SQL': (r) => figure(r.complete.statements, 0),
        'peak RSS': (r) => `${figure(Math.max(r.start.peakRssMiB, r.complete.peakRssMiB), 0)} MiB`,
      }),
    );
    return { figures: { others: options.others, runs: rows }, failures: [] };
  },
});
