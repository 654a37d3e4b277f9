import { closeAdmin } from '@compliance-graph/testing';
import { joinTenant, signUp, type AuthPayload } from './accounts';
import { codeOf, graphqlClient } from './graphql-client';
import { startStack, type Stack } from './stack';

const SCHEDULE = 'intervalDays dueDays defaultAction nextStartAt setAt setBy { id }';
const SET = `mutation ($i: Int!, $d: Int!, $a: AccessReviewDefaultAction!, $f: DateTime) { setAccessReviewSchedule(intervalDays: $i, dueDays: $d, defaultAction: $a, firstStartAt: $f) { ${SCHEDULE} } }`;
const READ = `{ accessReviewSchedule { ${SCHEDULE} } }`;
const REVIEWS = '{ accessReviews { id title status dueAt defaultAction scheduledFor createdBy { id } summary { total } } }';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Recurring access reviews through the gateway: who sets and reads a schedule, and a slot that
 * falls due while identity is down starting exactly one review once it is back.
 */
describe('identity: access-review schedules', () => {
  let stack: Stack | undefined;
  let gql: ReturnType<typeof graphqlClient>;
  let owner: AuthPayload;
  let admin: AuthPayload;
  let auditor: AuthPayload;
  let member: AuthPayload;
  let stranger: AuthPayload;

  const ok = <T>(body: { data?: T; errors?: unknown }) => {
    expect(body.errors).toBeUndefined();
    return body.data as any;
  };
  const setSchedule = (token: string, variables: Record<string, unknown>) => gql(SET, { i: 30, d: 10, a: 'NONE', ...variables }, token);

  beforeAll(async () => {
    // The first stack runs no scheduler: it stands for the service before it went down.
    stack = await startStack({ ACCESS_REVIEW_SCHEDULER_INTERVAL_SECONDS: '0' });
    gql = graphqlClient(stack.gatewayUrl);
    owner = await signUp(gql, 'Recurring');
    [admin, auditor, member] = await Promise.all(['ADMIN', 'AUDITOR', 'MEMBER'].map((role) => joinTenant(gql, owner.accessToken, role)));
    stranger = await signUp(gql, 'Elsewhere');
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
    await closeAdmin();
  });

  it('lets OWNER and ADMIN set it, AUDITOR read it, and nobody else either; bad input changes nothing', async () => {
    expect(ok(await gql(READ, {}, auditor.accessToken)).accessReviewSchedule).toBeNull();
    for (const token of [auditor.accessToken, member.accessToken]) expect(codeOf(await setSchedule(token, {}))).toBe('FORBIDDEN');
    expect(codeOf(await gql(READ, {}, member.accessToken))).toBe('FORBIDDEN');
    for (const bad of [{ i: 3 }, { d: 0 }, { i: 7, d: 8 }, { f: '2001-01-01T00:00:00Z' }]) expect(codeOf(await setSchedule(admin.accessToken, bad))).toBe('BAD_USER_INPUT');
    expect(codeOf(await setSchedule(admin.accessToken, { a: 'REVOKE_UNDECIDED' }))).toBe('BAD_USER_INPUT');
    expect(ok(await gql(READ, {}, owner.accessToken)).accessReviewSchedule).toBeNull();

    const set = ok(await setSchedule(owner.accessToken, {})).setAccessReviewSchedule;
    expect(set).toMatchObject({ intervalDays: 30, dueDays: 10, defaultAction: 'NONE', setBy: { id: owner.user.id } });
    expect(Date.parse(set.nextStartAt) - Date.now()).toBeGreaterThan(29 * 86400_000);
    expect(ok(await gql(READ, {}, auditor.accessToken)).accessReviewSchedule).toEqual(set);
    // Another tenant sees its own (none), never this one's.
    expect(ok(await gql(READ, {}, stranger.accessToken)).accessReviewSchedule).toBeNull();
    expect(ok(await gql('mutation { clearAccessReviewSchedule }', {}, stranger.accessToken)).clearAccessReviewSchedule).toBe(false);
    expect(ok(await gql(READ, {}, auditor.accessToken)).accessReviewSchedule).toEqual(set);
  });

  it('starts exactly one review for a slot that fell due while identity was down, as the setter\'s, once identity is back', async () => {
    const firstStartAt = new Date(Date.now() + 3000);
    const set = ok(await setSchedule(admin.accessToken, { i: 7, d: 2, a: 'COMPLETE_KEEP_UNDECIDED', f: firstStartAt.toISOString() })).setAccessReviewSchedule;
    expect(set).toMatchObject({ nextStartAt: firstStartAt.toISOString(), setBy: { id: admin.user.id } });
    await stack!.stop();
    stack = undefined;
    await sleep(firstStartAt.getTime() - Date.now() + 500);

    stack = await startStack({ ACCESS_REVIEW_SCHEDULER_INTERVAL_SECONDS: '1' });
    gql = graphqlClient(stack.gatewayUrl);
    let reviews: any[] = [];
    for (const deadline = Date.now() + 15_000; reviews.length === 0 && Date.now() < deadline; await sleep(250)) {
      reviews = ok(await gql(REVIEWS, {}, auditor.accessToken)).accessReviews;
    }
    // Several more scheduler passes: still one.
    await sleep(2500);
    reviews = ok(await gql(REVIEWS, {}, auditor.accessToken)).accessReviews;
    expect(reviews).toHaveLength(1);
    expect(reviews[0]).toMatchObject({
      status: 'IN_PROGRESS',
      defaultAction: 'COMPLETE_KEEP_UNDECIDED',
      scheduledFor: firstStartAt.toISOString(),
      createdBy: { id: admin.user.id },
      summary: { total: 4 },
    });
    expect(ok(await gql(READ, {}, auditor.accessToken)).accessReviewSchedule.nextStartAt).toBe(new Date(firstStartAt.getTime() + 7 * 86400_000).toISOString());

    let started: any;
    for (const deadline = Date.now() + 10_000; !started && Date.now() < deadline; await sleep(250)) {
      const events = ok(await gql('{ auditEvents(filter: { action: "access_review.started" }) { nodes { subjectId actorKind data } } }', {}, auditor.accessToken)).auditEvents.nodes;
      started = events.find((event: any) => event.subjectId === reviews[0].id);
    }
    expect(started).toMatchObject({ actorKind: 'SYSTEM', data: { createdBy: admin.user.id, scheduledFor: firstStartAt.toISOString() } });
    // The setter cannot decide the item about their own access, as in any review they started.
    const own = ok(await gql(`query ($id: ID!) { accessReview(id: $id) { items(first: 200) { nodes { id membership { user { id } } } } } }`, { id: reviews[0].id }, owner.accessToken))
      .accessReview.items.nodes.find((item: any) => item.membership?.user.id === admin.user.id);
    expect(codeOf(await gql('mutation ($id: ID!) { decideAccessReviewItem(itemId: $id, decision: KEEP, justification: "mine") { id } }', { id: own.id }, admin.accessToken))).toBe('FORBIDDEN');

    expect(ok(await gql('mutation { clearAccessReviewSchedule }', {}, owner.accessToken)).clearAccessReviewSchedule).toBe(true);
    expect(ok(await gql(READ, {}, auditor.accessToken)).accessReviewSchedule).toBeNull();
  }, 60_000);
});
