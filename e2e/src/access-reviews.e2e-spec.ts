import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { admin, closeAdmin } from '@compliance-graph/testing';
import { joinTenant, signUp, type AuthPayload } from './accounts';
import { codeOf, graphqlClient } from './graphql-client';
import { startStack, type Stack } from './stack';

const ITEM = 'id roleAtStart flags signals { code reason } decision newRole justification decidedAt decidedBy { id } membership { id user { id } } apiKey { id }';
const START = `mutation ($t: String!, $d: DateTime!) { startAccessReview(title: $t, dueAt: $d) { id title status dueAt scopeDigest overdue createdBy { id } summary { total kept revoked changed pending } items(first: 200) { totalCount nodes { ${ITEM} } } } }`;
const DECIDE = `mutation ($id: ID!, $d: AccessReviewDecision!, $j: String!, $r: Role) { decideAccessReviewItem(itemId: $id, decision: $d, justification: $j, newRole: $r) { ${ITEM} } }`;
const REVIEW = `query ($id: ID!, $pending: Boolean, $flag: AccessRiskFlag) { accessReview(id: $id) { id status summary { total kept revoked changed pending } items(pending: $pending, flag: $flag, first: 200) { totalCount nodes { id decision } } } }`;
const inDays = (days: number) => new Date(Date.now() + days * 86400_000).toISOString();

/** Access reviews through the gateway: the frozen scope with its flags and digest, guarded decisions, cancellation. */
describe('identity: access reviews', () => {
  let stack: Stack;
  let gql: ReturnType<typeof graphqlClient>;
  let owner: AuthPayload;
  let admin2: AuthPayload;
  let auditor: AuthPayload;
  let member: AuthPayload;
  let coOwner: AuthPayload;

  const ok = <T>(body: { data?: T; errors?: unknown }) => {
    expect(body.errors).toBeUndefined();
    return body.data as any;
  };
  const start = async (token = owner.accessToken) => ok(await gql(START, { t: 'Q4 access review', d: inDays(14) }, token)).startAccessReview;
  const itemOf = (review: any, userId: string) => review.items.nodes.find((item: any) => item.membership?.user.id === userId);

  beforeAll(async () => {
    stack = await startStack();
    gql = graphqlClient(stack.gatewayUrl);
    owner = await signUp(gql, 'Reviewers');
    [admin2, auditor, member, coOwner] = await Promise.all(['ADMIN', 'AUDITOR', 'MEMBER', 'OWNER'].map((role) => joinTenant(gql, owner.accessToken, role)));
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
    await closeAdmin();
  });

  it('freezes every active membership and usable API key with its role and flags, and records the scope digest', async () => {
    const key = ok(
      await gql('mutation ($i: CreateApiKeyInput!) { createApiKey(input: $i) { apiKey { id } } }', { i: { name: 'Feed', role: 'PARTNER', expiresAt: inDays(7) } }, owner.accessToken),
    ).createApiKey.apiKey.id;
    const review = await start();
    expect(review).toMatchObject({ status: 'IN_PROGRESS', overdue: false, createdBy: { id: owner.user.id }, summary: { total: 6, pending: 6, kept: 0 } });
    const byUser = (auth: AuthPayload) => itemOf(review, auth.user.id);
    expect(byUser(owner)).toMatchObject({ roleAtStart: 'OWNER', decision: null });
    expect(byUser(owner).flags.sort()).toEqual(['NO_MFA', 'PRIVILEGED']);
    expect(byUser(member).flags).toEqual(['NO_MFA']);
    const keyItem = review.items.nodes.find((item: any) => item.apiKey?.id === key);
    expect(keyItem).toMatchObject({ roleAtStart: 'PARTNER', membership: null });
    expect(keyItem.flags.sort()).toEqual(['EXPIRING_KEY', 'NEVER_USED']);
    expect(keyItem.signals.map((s: any) => s.code).sort()).toEqual(['EXPIRING_KEY', 'NEVER_USED']);
    expect(keyItem.signals.find((s: any) => s.code === 'EXPIRING_KEY').reason).toContain('before the review is due');

    // The digest recomputes from the items alone, and the audit log holds the same one.
    const { rows } = await admin().query(
      `SELECT id, CASE WHEN membership_id IS NULL THEN 'ApiKey' ELSE 'Membership' END AS "subjectType", coalesce(membership_id, api_key_id) AS "subjectId",
              role_at_start AS "roleAtStart", flags FROM identity.access_review_items WHERE review_id = $1 ORDER BY id`,
      [review.id],
    );
    const recomputed = createHash('sha256').update(canonicalize(rows.map((r) => ({ ...r, flags: [...r.flags].sort() })))!).digest('hex');
    expect(recomputed).toBe(review.scopeDigest);
    for (const deadline = Date.now() + 10_000; ; await new Promise((r) => setTimeout(r, 200))) {
      const events = ok(await gql('{ auditEvents(filter: { action: "access_review.started" }) { nodes { subjectId data } } }', {}, auditor.accessToken)).auditEvents.nodes;
      const started = events.find((e: any) => e.subjectId === review.id);
      if (started || Date.now() > deadline) {
        expect(started.data).toMatchObject({ scopeDigest: review.scopeDigest, items: 6 });
        break;
      }
    }
  });

  it('keeps its scope when the tenant changes afterwards: a member who joins later is not in it', async () => {
    const review = await start();
    const late = await joinTenant(gql, owner.accessToken, 'MEMBER');
    const now = ok(await gql(REVIEW, { id: review.id }, owner.accessToken)).accessReview;
    expect(now.summary.total).toBe(review.summary.total);
    const { rows } = await admin().query(`SELECT 1 FROM identity.access_review_items i JOIN identity.memberships m ON m.id = i.membership_id WHERE i.review_id = $1 AND m.user_id = $2`, [
      review.id,
      late.user.id,
    ]);
    expect(rows).toEqual([]);
  });

  it('lets OWNER and ADMIN decide, never about their own access, and only an OWNER touch an OWNER', async () => {
    const review = await start();
    const decide = (token: string, userId: string, d: string, j = 'Reviewed with the team lead', r?: string) => gql(DECIDE, { id: itemOf(review, userId).id, d, j, r }, token);
    expect(codeOf(await decide(owner.accessToken, owner.user.id, 'KEEP'))).toBe('FORBIDDEN');
    expect(codeOf(await decide(auditor.accessToken, member.user.id, 'KEEP'))).toBe('FORBIDDEN');
    expect(codeOf(await decide(member.accessToken, auditor.user.id, 'KEEP'))).toBe('FORBIDDEN');
    expect(ok(await decide(admin2.accessToken, owner.user.id, 'KEEP')).decideAccessReviewItem).toMatchObject({ decision: 'KEEP', decidedBy: { id: admin2.user.id } });
    expect(codeOf(await decide(admin2.accessToken, coOwner.user.id, 'REVOKE'))).toBe('FORBIDDEN');
    expect(codeOf(await decide(admin2.accessToken, member.user.id, 'CHANGE_ROLE', 'Promote', 'OWNER'))).toBe('FORBIDDEN');
    expect(codeOf(await decide(owner.accessToken, member.user.id, 'CHANGE_ROLE'))).toBe('BAD_USER_INPUT');
    expect(codeOf(await decide(owner.accessToken, member.user.id, 'REVOKE', 'x', 'ADMIN'))).toBe('BAD_USER_INPUT');
    expect(codeOf(await decide(owner.accessToken, member.user.id, 'KEEP', '   '))).toBe('BAD_USER_INPUT');
    expect(ok(await decide(owner.accessToken, coOwner.user.id, 'REVOKE', 'Left the board')).decideAccessReviewItem.decision).toBe('REVOKE');
    expect(ok(await decide(owner.accessToken, member.user.id, 'CHANGE_ROLE', 'Needs to approve evidence', 'COMPLIANCE_MANAGER')).decideAccessReviewItem).toMatchObject({
      decision: 'CHANGE_ROLE',
      newRole: 'COMPLIANCE_MANAGER',
    });
    // A decision may change until completion; each change is audited.
    ok(await decide(admin2.accessToken, member.user.id, 'KEEP', 'Keeps the current role after all'));
    const now = ok(await gql(REVIEW, { id: review.id }, auditor.accessToken)).accessReview;
    expect(now.summary).toEqual({ total: review.summary.total, kept: 2, revoked: 1, changed: 0, pending: review.summary.total - 3 });
    expect(ok(await gql(REVIEW, { id: review.id, pending: true }, auditor.accessToken)).accessReview.items.totalCount).toBe(review.summary.total - 3);
    expect(ok(await gql(REVIEW, { id: review.id, flag: 'PRIVILEGED' }, auditor.accessToken)).accessReview.items.totalCount).toBe(3);
    for (const deadline = Date.now() + 10_000; ; await new Promise((r) => setTimeout(r, 200))) {
      const events = ok(await gql('{ auditEvents(filter: { action: "access_review.item_decided" }, first: 200) { nodes { subjectId reason data } } }', {}, auditor.accessToken)).auditEvents.nodes;
      const mine = events.filter((e: any) => e.subjectId === review.id);
      if (mine.length >= 4 || Date.now() > deadline) {
        expect(mine.map((e: any) => e.data.decision)).toEqual(['KEEP', 'REVOKE', 'CHANGE_ROLE', 'KEEP']);
        expect(mine[3].data.previousDecision).toBe('CHANGE_ROLE');
        break;
      }
    }
  });

  it('is cancelled without applying anything, and then changes no more', async () => {
    const review = await start();
    ok(await gql(DECIDE, { id: itemOf(review, member.user.id).id, d: 'REVOKE', j: 'No longer needed' }, owner.accessToken));
    expect(ok(await gql('mutation ($id: ID!) { cancelAccessReview(id: $id) { status } }', { id: review.id }, owner.accessToken)).cancelAccessReview.status).toBe('CANCELLED');
    expect(codeOf(await gql(DECIDE, { id: itemOf(review, member.user.id).id, d: 'KEEP', j: 'changed my mind' }, owner.accessToken))).toBe('CONFLICT');
    expect(codeOf(await gql('mutation ($id: ID!) { cancelAccessReview(id: $id) { status } }', { id: review.id }, owner.accessToken))).toBe('CONFLICT');
    expect(ok(await gql('{ members(first: 200) { nodes { user { id } role revokedAt } } }', {}, owner.accessToken)).members.nodes.find((m: any) => m.user.id === member.user.id).revokedAt).toBeNull();
  });

  it("keeps one tenant's reviews from another, and refuses a due date out of range", async () => {
    const review = await start();
    const other = await signUp(gql, 'Outsiders');
    expect(ok(await gql(REVIEW, { id: review.id }, other.accessToken)).accessReview).toBeNull();
    expect(ok(await gql('{ accessReviews { id } }', {}, other.accessToken)).accessReviews).toEqual([]);
    expect(codeOf(await gql(DECIDE, { id: review.items.nodes[0].id, d: 'REVOKE', j: 'mine now' }, other.accessToken))).toBe('NOT_FOUND');
    expect(codeOf(await gql('mutation ($id: ID!) { cancelAccessReview(id: $id) { status } }', { id: review.id }, other.accessToken))).toBe('NOT_FOUND');
    expect(codeOf(await gql(START, { t: 'Past', d: inDays(-1) }, owner.accessToken))).toBe('BAD_USER_INPUT');
    expect(codeOf(await gql(START, { t: 'Far', d: inDays(400) }, owner.accessToken))).toBe('BAD_USER_INPUT');
    expect(codeOf(await gql(START, { t: 'Auditor', d: inDays(3) }, auditor.accessToken))).toBe('FORBIDDEN');
  });
});
