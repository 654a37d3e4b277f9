import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  const blobDir = mkdtempSync(join(tmpdir(), 'cg-e2e-reviews-'));
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
    stack = await startStack({ EVIDENCE_BLOB_DIR: blobDir }, { SESSION_CHECK_TTL_MS: '1000' });
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

  const COMPLETE = 'mutation ($id: ID!) { completeAccessReview(id: $id) { id status completedAt summary { total kept revoked changed pending } } }';
  const untilRefused = async (token: string) => {
    for (const deadline = Date.now() + 5000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
      if (codeOf(await gql('{ viewer { role } }', {}, token)) === 'UNAUTHENTICATED') return true;
    }
    return false;
  };
  const reportOf = async (reviewId: string, token: string) => {
    for (const deadline = Date.now() + 15_000; ; await new Promise((r) => setTimeout(r, 200))) {
      const found = ok(
        await gql('query ($s: String!) { evidenceList(filter: { search: $s }) { nodes { id status sourceKind currentRevision { sha256 } decisions { decidedBy { id } } } } }', { s: reviewId }, token),
      ).evidenceList.nodes;
      if (found.length > 0 || Date.now() > deadline) return found[0];
    }
  };

  it('applies its decisions on completion, at once at the gateway, and its report arrives as approved evidence whose CSV matches', async () => {
    const team = await signUp(gql, 'Campaign');
    const [leaver, mover, stayer, handRevoked] = await Promise.all(['MEMBER', 'MEMBER', 'ADMIN', 'MEMBER'].map((role) => joinTenant(gql, team.accessToken, role)));
    const review = ok(await gql(START, { t: 'Year-end review', d: inDays(14) }, team.accessToken)).startAccessReview;
    const item = (auth: AuthPayload) => itemOf(review, auth.user.id).id;
    ok(await gql(DECIDE, { id: item(leaver), d: 'REVOKE', j: 'Left the company' }, team.accessToken));
    ok(await gql(DECIDE, { id: item(mover), d: 'CHANGE_ROLE', j: 'Now audits', r: 'AUDITOR' }, team.accessToken));
    ok(await gql(DECIDE, { id: item(stayer), d: 'KEEP', j: '=HYPERLINK("http://evil.example")' }, team.accessToken));
    ok(await gql(DECIDE, { id: item(handRevoked), d: 'REVOKE', j: 'Contract ended' }, team.accessToken));
    const handMembership = itemOf(review, handRevoked.user.id).membership.id;
    ok(await gql('mutation ($id: ID!) { revokeMembership(membershipId: $id, reason: "by hand") { id } }', { id: handMembership }, team.accessToken));

    const completed = ok(await gql(COMPLETE, { id: review.id }, team.accessToken)).completeAccessReview;
    expect(completed).toMatchObject({ status: 'COMPLETED', summary: { total: 5, kept: 1, revoked: 2, changed: 1, pending: 1 } });
    expect(await untilRefused(leaver.accessToken)).toBe(true);
    expect(await untilRefused(mover.accessToken)).toBe(true);
    const members = ok(await gql('{ members(first: 50, includeRevoked: true) { nodes { id role revokedAt revokedReason user { id } } } }', {}, team.accessToken)).members.nodes;
    const memberOf = (auth: AuthPayload) => members.find((m: any) => m.user.id === auth.user.id);
    expect(memberOf(leaver)).toMatchObject({ revokedReason: 'Access review "Year-end review"' });
    expect(memberOf(mover)).toMatchObject({ role: 'AUDITOR', revokedAt: null });
    expect(memberOf(handRevoked).revokedReason).toBe('by hand');
    expect(codeOf(await gql(DECIDE, { id: item(stayer), d: 'REVOKE', j: 'too late' }, team.accessToken))).toBe('CONFLICT');
    expect(codeOf(await gql(COMPLETE, { id: review.id }, team.accessToken))).toBe('CONFLICT');

    const report = await reportOf(review.id, team.accessToken);
    expect(report).toMatchObject({ status: 'APPROVED', sourceKind: 'SYSTEM', decisions: [{ decidedBy: { id: team.user.id } }] });
    const sha = report.currentRevision.sha256;
    const csv = readFileSync(join(blobDir, sha.slice(0, 2), sha), 'utf8');
    const lines = csv.trim().split('\r\n');
    expect(lines).toHaveLength(6);
    const line = (auth: AuthPayload) => lines.find((l) => l.includes(itemOf(review, auth.user.id).id))!;
    expect(line(leaver)).toMatch(/,REVOKE,,Left the company,.*,revoked$/);
    expect(line(mover)).toMatch(/,CHANGE_ROLE,AUDITOR,Now audits,.*,role changed$/);
    expect(line(handRevoked)).toMatch(/,already revoked$/);
    expect(line(stayer)).toContain(`"'=HYPERLINK(""http://evil.example"")"`);
    expect(line(team)).toMatch(/,kept \(undecided\)$/);

    // The membership was revoked once: by hand, not again by the review.
    for (const deadline = Date.now() + 10_000; ; await new Promise((r) => setTimeout(r, 200))) {
      const events = ok(await gql('{ auditEvents(filter: { action: "membership.revoked" }, first: 50) { nodes { subjectId data } } }', {}, team.accessToken)).auditEvents.nodes;
      const completedEvent = ok(await gql('{ auditEvents(filter: { action: "access_review.completed" }) { nodes { subjectId data } } }', {}, team.accessToken)).auditEvents.nodes[0];
      if ((events.length >= 2 && completedEvent) || Date.now() > deadline) {
        expect(events.filter((e: any) => e.subjectId === handMembership)).toHaveLength(1);
        expect(events.find((e: any) => e.subjectId === memberOf(leaver).id).data.accessReviewId).toBe(review.id);
        expect(completedEvent.data).toMatchObject({ csvSha256: sha, counts: { total: 5, revoked: 2 } });
        break;
      }
    }
  }, 60_000);

  it('applies nothing when a REVOKE would remove the last OWNER, and names the item', async () => {
    const team = await signUp(gql, 'Owners');
    const second = await joinTenant(gql, team.accessToken, 'OWNER');
    const review = ok(await gql(START, { t: 'Owners only', d: inDays(7) }, team.accessToken)).startAccessReview;
    ok(await gql(DECIDE, { id: itemOf(review, team.user.id).id, d: 'REVOKE', j: 'Hand over' }, second.accessToken));
    ok(await gql(DECIDE, { id: itemOf(review, second.user.id).id, d: 'REVOKE', j: 'Hand over too' }, team.accessToken));
    const refused = await gql(COMPLETE, { id: review.id }, team.accessToken);
    expect(codeOf(refused)).toBe('CONFLICT');
    expect(refused.errors![0].message).toMatch(/Item [0-9a-f-]{36}: A tenant keeps at least one OWNER/);
    const members = ok(await gql('{ members(first: 50) { nodes { role revokedAt } } }', {}, team.accessToken)).members.nodes;
    expect(members.filter((m: any) => m.role === 'OWNER' && m.revokedAt === null)).toHaveLength(2);
    expect(ok(await gql(REVIEW, { id: review.id }, team.accessToken)).accessReview.status).toBe('IN_PROGRESS');
  });

  it("tells from the previous completed review who is new, whose role changed and who was kept with a flag that still stands", async () => {
    const team = await signUp(gql, 'Signals');
    const [kept, promoted] = await Promise.all(['MEMBER', 'MEMBER'].map((role) => joinTenant(gql, team.accessToken, role)));
    const first = ok(await gql(START, { t: 'First', d: inDays(7) }, team.accessToken)).startAccessReview;
    expect(itemOf(first, kept.user.id).signals.map((s: any) => s.code)).toEqual(['NO_MFA']);
    ok(await gql(DECIDE, { id: itemOf(first, kept.user.id).id, d: 'KEEP', j: 'Needs access, MFA promised' }, team.accessToken));
    ok(await gql(COMPLETE, { id: first.id }, team.accessToken));

    const promotedMembership = itemOf(first, promoted.user.id).membership.id;
    ok(await gql('mutation ($m: ID!) { changeMemberRole(membershipId: $m, role: COMPLIANCE_MANAGER) { id } }', { m: promotedMembership }, team.accessToken));
    const newcomer = await joinTenant(gql, team.accessToken, 'AUDITOR');
    const second = ok(await gql(START, { t: 'Second', d: inDays(7) }, team.accessToken)).startAccessReview;
    const codes = (auth: AuthPayload) => itemOf(second, auth.user.id).signals.map((s: any) => s.code).sort();
    expect(codes(kept)).toEqual(['KEPT_WITH_FLAG_LAST_TIME', 'NO_MFA']);
    expect(itemOf(second, kept.user.id).signals.find((s: any) => s.code === 'KEPT_WITH_FLAG_LAST_TIME').reason).toContain('NO_MFA');
    // Undecided last time, so kept by the completion: its flag stands as well.
    expect(codes(promoted)).toEqual(['KEPT_WITH_FLAG_LAST_TIME', 'NO_MFA', 'ROLE_CHANGED_SINCE_LAST_REVIEW']);
    expect(codes(newcomer)).toEqual(['NEW_SINCE_LAST_REVIEW', 'NO_MFA']);
    // The contract's flags stay what they were: the history is in the signals only.
    expect(itemOf(second, kept.user.id).flags).toEqual(['NO_MFA']);
    expect(codes(team)).toEqual(['KEPT_WITH_FLAG_LAST_TIME', 'NO_MFA', 'PRIVILEGED']);
  });

  it.each([1, 2, 3, 4, 5])('applies each change once when completions and a decision race (round %i)', async () => {
    const team = await signUp(gql, 'Racers');
    const target = await joinTenant(gql, team.accessToken, 'MEMBER');
    const review = ok(await gql(START, { t: 'Race', d: inDays(7) }, team.accessToken)).startAccessReview;
    ok(await gql(DECIDE, { id: itemOf(review, target.user.id).id, d: 'REVOKE', j: 'Not needed' }, team.accessToken));
    const answers = await Promise.all([
      gql(COMPLETE, { id: review.id }, team.accessToken),
      gql(COMPLETE, { id: review.id }, team.accessToken),
      gql(DECIDE, { id: itemOf(review, target.user.id).id, d: 'KEEP', j: 'Changed my mind' }, team.accessToken),
    ]);
    const completions = answers.slice(0, 2);
    expect(completions.filter((a) => !a.errors)).toHaveLength(1);
    expect(codeOf(completions.find((a) => a.errors)!)).toBe('CONFLICT');
    const { rows } = await admin().query(`SELECT decision FROM identity.access_review_items WHERE review_id = $1 AND membership_id IS NOT NULL AND owner_user_id = $2`, [review.id, target.user.id]);
    const revoked = await admin().query(`SELECT revoked_at FROM identity.memberships WHERE user_id = $1 AND tenant_id = $2`, [target.user.id, team.tenant.id]);
    // Whichever came first, the state agrees with the decision the review ended with.
    expect(revoked.rows[0].revoked_at === null).toBe(rows[0].decision === 'KEEP');
  });
});
