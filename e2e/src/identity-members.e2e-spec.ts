import { createHash, randomUUID } from 'node:crypto';
import { admin, authenticatorCode, closeAdmin } from '@compliance-graph/testing';
import { AUTH, PASSWORD, joinTenant, signUp as signUpOwner, unique } from './accounts';
import { operatorCli } from './fixtures';
import { codeOf, graphqlClient } from './graphql-client';
import { startStack, type Stack } from './stack';

const VIEWER = '{ viewer { role } }';

/** Invitations, roles and revocation through the gateway, with every account made through the API. */
describe('identity: members', () => {
  let stack: Stack;
  let gql: ReturnType<typeof graphqlClient>;

  beforeAll(async () => {
    stack = await startStack({}, { SESSION_CHECK_TTL_MS: '1000' });
    gql = graphqlClient(stack.gatewayUrl);
  });
  afterAll(async () => {
    await stack.stop();
    await closeAdmin();
  });

  const ok = <T>(body: { data?: T; errors?: unknown }) => {
    expect(body.errors).toBeUndefined();
    return body.data as any;
  };
  const signUp = () => signUpOwner(gql);
  const invite = async (token: string, role: string, email = `member-${unique()}@example.test`) =>
    gql('mutation ($e: String!, $r: Role!) { inviteMember(email: $e, role: $r) { token invitation { id email role expiresAt invitedBy { id } } } }', { e: email, r: role }, token);
  const accept = (input: Record<string, unknown>) =>
    gql(`mutation ($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { ${AUTH} } }`, { input });
  /** A member with `role`, joined through an invitation: their AuthPayload and membership id. */
  const join = async (ownerToken: string, role: string) => {
    const auth = await joinTenant(gql, ownerToken, role);
    const members = ok(await gql('{ members(first: 200) { nodes { id user { id } } } }', {}, ownerToken)).members.nodes;
    return { auth, membershipId: members.find((m: any) => m.user.id === auth.user.id).id as string };
  };
  const untilRefused = async (token: string) => {
    for (const deadline = Date.now() + 5000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
      if (codeOf(await gql(VIEWER, {}, token)) === 'UNAUTHENTICATED') return true;
    }
    return false;
  };

  it('invites a new user, who joins with the role; the token is shown once and stored as a hash', async () => {
    const owner = await signUp();
    const created = ok(await invite(owner.accessToken, 'COMPLIANCE_MANAGER', 'New.Person@Example.test')).inviteMember;
    expect(created.invitation).toMatchObject({ email: 'new.person@example.test', role: 'COMPLIANCE_MANAGER', invitedBy: { id: owner.user.id } });
    expect(Date.parse(created.invitation.expiresAt) - Date.now()).toBeGreaterThan(6.9 * 86400_000);
    const pending = ok(await gql('{ invitations { id } }', {}, owner.accessToken)).invitations;
    expect(pending.map((i: any) => i.id)).toEqual([created.invitation.id]);
    const stored = await admin().query(`SELECT token_hash FROM identity.invitations WHERE id = $1`, [created.invitation.id]);
    expect(stored.rows[0].token_hash).toEqual(createHash('sha256').update(created.token).digest());

    const joined = ok(await accept({ token: created.token, displayName: 'Nina New', password: PASSWORD })).acceptInvitation;
    expect(joined).toMatchObject({ role: 'COMPLIANCE_MANAGER', tenant: { id: owner.tenant.id }, user: { email: 'new.person@example.test' } });
    expect(ok(await gql(VIEWER, {}, joined.accessToken)).viewer.role).toBe('COMPLIANCE_MANAGER');
    expect(ok(await gql('{ invitations { id } }', {}, owner.accessToken)).invitations).toEqual([]);
  });

  it('refuses an unusable invitation token with one message: used, revoked, unknown', async () => {
    const owner = await signUp();
    const used = ok(await invite(owner.accessToken, 'MEMBER')).inviteMember;
    ok(await accept({ token: used.token, displayName: 'Once', password: PASSWORD }));
    const revoked = ok(await invite(owner.accessToken, 'MEMBER')).inviteMember;
    ok(await gql('mutation ($id: ID!) { revokeInvitation(id: $id) { revokedAt } }', { id: revoked.invitation.id }, owner.accessToken));
    const answers = [
      await accept({ token: used.token, displayName: 'Twice', password: PASSWORD }),
      await accept({ token: revoked.token, displayName: 'Late', password: PASSWORD }),
      await accept({ token: `cgi_${unique()}`, displayName: 'Guess', password: PASSWORD }),
    ];
    for (const answer of answers) {
      expect(codeOf(answer)).toBe('BAD_USER_INPUT');
      expect(answer.errors![0].message).toBe(answers[0].errors![0].message);
    }
    expect(codeOf(await gql('mutation ($id: ID!) { revokeInvitation(id: $id) { id } }', { id: used.invitation.id }, owner.accessToken))).toBe('CONFLICT');
  });

  it('an existing user with MFA joins only with password and code', async () => {
    const owner = await signUp();
    const other = await signUp();
    const { secret } = ok(await gql('mutation { startTotpEnrollment { secret } }', {}, other.accessToken)).startTotpEnrollment;
    ok(await gql('mutation ($c: String!) { confirmTotpEnrollment(code: $c) { recoveryCodes } }', { c: authenticatorCode(secret) }, other.accessToken));

    const { token } = ok(await invite(owner.accessToken, 'AUDITOR', other.user.email)).inviteMember;
    expect(codeOf(await accept({ token, displayName: 'ignored', password: 'not the password' }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await accept({ token, displayName: 'ignored', password: PASSWORD }))).toBe('MFA_REQUIRED');
    expect(codeOf(await accept({ token, displayName: 'ignored', password: PASSWORD, totpCode: '000000' }))).toBe('UNAUTHENTICATED');
    const joined = ok(await accept({ token, displayName: 'ignored', password: PASSWORD, totpCode: authenticatorCode(secret, new Date(Date.now() + 30_000)) }))
      .acceptInvitation;
    expect(joined).toMatchObject({ role: 'AUDITOR', user: { id: other.user.id }, tenant: { id: owner.tenant.id } });

    const switched = ok(await gql(`mutation ($t: ID!) { switchTenant(tenantId: $t) { ${AUTH} } }`, { t: other.tenant.id }, joined.accessToken)).switchTenant;
    expect(switched).toMatchObject({ role: 'OWNER', tenant: { id: other.tenant.id } });
    expect(codeOf(await gql(`mutation ($t: ID!) { switchTenant(tenantId: $t) { role } }`, { t: randomUUID() }, joined.accessToken))).toBe('NOT_FOUND');
  });

  it('a user with MFA switches tenants only from a session that passed MFA', async () => {
    const first = await signUp();
    const second = await signUp();
    const { token } = ok(await invite(second.accessToken, 'MEMBER', first.user.email)).inviteMember;
    const inSecond = ok(await accept({ token, displayName: 'ignored', password: PASSWORD })).acceptInvitation;
    const { secret } = ok(await gql('mutation { startTotpEnrollment { secret } }', {}, inSecond.accessToken)).startTotpEnrollment;
    ok(await gql('mutation ($c: String!) { confirmTotpEnrollment(code: $c) { recoveryCodes } }', { c: authenticatorCode(secret) }, inSecond.accessToken));
    const switchTo = `mutation ($t: ID!) { switchTenant(tenantId: $t) { ${AUTH} } }`;

    // The sign-up session in the first tenant predates MFA: it never presented a code.
    expect(codeOf(await gql(switchTo, { t: second.tenant.id }, first.accessToken))).toBe('MFA_REQUIRED');
    // The session that confirmed the enrolment passed MFA; after a refresh its token says so.
    const refreshed = ok(await gql(`mutation ($t: String!) { refreshSession(refreshToken: $t) { ${AUTH} } }`, { t: inSecond.refreshToken })).refreshSession;
    expect(ok(await gql(switchTo, { t: first.tenant.id }, refreshed.accessToken)).switchTenant).toMatchObject({ role: 'OWNER', tenant: { id: first.tenant.id } });
  });

  describe('roles', () => {
    it('only an OWNER grants OWNER, and the last OWNER stays', async () => {
      const owner = await signUp();
      const adminMember = await join(owner.accessToken, 'ADMIN');
      const member = await join(owner.accessToken, 'MEMBER');
      const change = 'mutation ($m: ID!, $r: Role!) { changeMemberRole(membershipId: $m, role: $r) { role } }';
      const ownMembership = ok(await gql('{ members { nodes { id role } } }', {}, owner.accessToken)).members.nodes.find((m: any) => m.role === 'OWNER').id;

      expect(codeOf(await gql(change, { m: member.membershipId, r: 'OWNER' }, adminMember.auth.accessToken))).toBe('FORBIDDEN');
      expect(codeOf(await invite(adminMember.auth.accessToken, 'OWNER'))).toBe('FORBIDDEN');
      expect(codeOf(await gql(change, { m: ownMembership, r: 'ADMIN' }, owner.accessToken))).toBe('CONFLICT');
      expect(codeOf(await gql(change, { m: randomUUID(), r: 'ADMIN' }, owner.accessToken))).toBe('NOT_FOUND');
      expect(codeOf(await gql(change, { m: member.membershipId, r: 'ADMIN' }, member.auth.accessToken))).toBe('FORBIDDEN');
      expect(ok(await gql(change, { m: member.membershipId, r: 'OWNER' }, owner.accessToken)).changeMemberRole.role).toBe('OWNER');
      expect(ok(await gql(change, { m: ownMembership, r: 'ADMIN' }, owner.accessToken)).changeMemberRole.role).toBe('ADMIN');
    });

    it('a changed role bites within seconds, and refresh gives the new one', async () => {
      const owner = await signUp();
      const member = await join(owner.accessToken, 'MEMBER');
      ok(await gql('mutation ($m: ID!) { changeMemberRole(membershipId: $m, role: AUDITOR) { role } }', { m: member.membershipId }, owner.accessToken));
      expect(await untilRefused(member.auth.accessToken)).toBe(true);
      const refreshed = ok(await gql('mutation ($t: String!) { refreshSession(refreshToken: $t) { accessToken role } }', { t: member.auth.refreshToken })).refreshSession;
      expect(refreshed.role).toBe('AUDITOR');
      expect(ok(await gql(VIEWER, {}, refreshed.accessToken)).viewer.role).toBe('AUDITOR');
    });
  });

  describe('revocation', () => {
    it('ends the member’s access within seconds, with the reason on record', async () => {
      const owner = await signUp();
      const member = await join(owner.accessToken, 'MEMBER');
      const revoked = ok(
        await gql('mutation ($m: ID!) { revokeMembership(membershipId: $m, reason: "left the company") { revokedAt revokedReason } }', { m: member.membershipId }, owner.accessToken),
      ).revokeMembership;
      expect(revoked.revokedReason).toBe('left the company');
      expect(await untilRefused(member.auth.accessToken)).toBe(true);
      expect(codeOf(await gql('mutation ($t: String!) { refreshSession(refreshToken: $t) { role } }', { t: member.auth.refreshToken }))).toBe('UNAUTHENTICATED');
      const login = await gql('mutation ($i: LoginInput!) { login(input: $i) { role } }', {
        i: { tenantSlug: owner.tenant.slug, email: member.auth.user.email, password: PASSWORD },
      });
      expect(codeOf(login)).toBe('UNAUTHENTICATED');
      const actions = (await admin().query(`SELECT payload->>'action' AS a, payload->>'reason' AS r FROM identity.outbox WHERE tenant_id = $1`, [owner.tenant.id])).rows;
      expect(actions).toContainEqual({ a: 'membership.revoked', r: 'left the company' });
    });

    it('refuses to revoke the last OWNER, and a member of another tenant reads as absent', async () => {
      const owner = await signUp();
      const stranger = await signUp();
      const ownMembership = ok(await gql('{ members { nodes { id } } }', {}, owner.accessToken)).members.nodes[0].id;
      const revoke = 'mutation ($m: ID!) { revokeMembership(membershipId: $m, reason: "x") { id } }';
      expect(codeOf(await gql(revoke, { m: ownMembership }, owner.accessToken))).toBe('CONFLICT');
      expect(codeOf(await gql(revoke, { m: ownMembership }, stranger.accessToken))).toBe('NOT_FOUND');
    });
  });

  it('an admin resets another member’s MFA with a reason, never their own', async () => {
    const owner = await signUp();
    const member = await join(owner.accessToken, 'MEMBER');
    const { secret } = ok(await gql('mutation { startTotpEnrollment { secret } }', {}, member.auth.accessToken)).startTotpEnrollment;
    ok(await gql('mutation ($c: String!) { confirmTotpEnrollment(code: $c) { recoveryCodes } }', { c: authenticatorCode(secret) }, member.auth.accessToken));
    const reset = 'mutation ($m: ID!) { resetMemberMfa(membershipId: $m, reason: "lost phone") { id } }';
    const ownMembership = ok(await gql('{ members { nodes { id user { id } } } }', {}, owner.accessToken)).members.nodes.find(
      (m: any) => m.user.id === owner.user.id,
    ).id;
    expect(codeOf(await gql(reset, { m: ownMembership }, owner.accessToken))).toBe('FORBIDDEN');
    expect(ok(await gql(reset, { m: member.membershipId }, owner.accessToken)).resetMemberMfa.id).toBe(member.membershipId);
    const login = await gql('mutation ($i: LoginInput!) { login(input: $i) { role } }', {
      i: { tenantSlug: owner.tenant.slug, email: member.auth.user.email, password: PASSWORD },
    });
    expect(ok(login).login.role).toBe('MEMBER');
  });

  /** The OWNER of a tenant with MFA, who also joined `owner`'s tenant as a MEMBER. */
  const memberOfTwoTenants = async (owner: { accessToken: string }) => {
    const elsewhere = await signUp();
    const { secret } = ok(await gql('mutation { startTotpEnrollment { secret } }', {}, elsewhere.accessToken)).startTotpEnrollment;
    ok(await gql('mutation ($c: String!) { confirmTotpEnrollment(code: $c) { recoveryCodes } }', { c: authenticatorCode(secret) }, elsewhere.accessToken));
    const { token } = ok(await invite(owner.accessToken, 'MEMBER', elsewhere.user.email)).inviteMember;
    ok(await accept({ token, displayName: 'ignored', password: PASSWORD, totpCode: authenticatorCode(secret, new Date(Date.now() + 30_000)) }));
    const members = ok(await gql('{ members(first: 200) { nodes { id user { id } } } }', {}, owner.accessToken)).members.nodes;
    return { ...elsewhere, membershipId: members.find((m: any) => m.user.id === elsewhere.user.id).id as string };
  };
  const resetMfa = 'mutation ($m: ID!) { resetMemberMfa(membershipId: $m, reason: "lost phone") { id } }';
  const mfaEnabled = async (userId: string) => (await admin().query(`SELECT mfa_enabled FROM identity.users WHERE id = $1`, [userId])).rows[0].mfa_enabled;
  const passwordLogin = (tenantSlug: string, email: string) =>
    gql('mutation ($i: LoginInput!) { login(input: $i) { role } }', { i: { tenantSlug, email, password: PASSWORD } });

  it('refuses to reset the MFA of a member who also belongs to another tenant, changing nothing', async () => {
    const owner = await signUp();
    const member = await memberOfTwoTenants(owner);
    const refused = await gql(resetMfa, { m: member.membershipId }, owner.accessToken);
    expect(codeOf(refused)).toBe('CONFLICT');
    expect(refused.errors![0].message).toMatch(/another organisation/);
    expect(await mfaEnabled(member.user.id)).toBe(true);
    expect(codeOf(await passwordLogin(member.tenant.slug, member.user.email))).toBe('MFA_REQUIRED');

    // Once the other membership has ended (its tenant's only OWNER: ended in the database), the reset is this admin's to make.
    await admin().query(`UPDATE identity.memberships SET revoked_at = now() WHERE tenant_id = $1`, [member.tenant.id]);
    expect(ok(await gql(resetMfa, { m: member.membershipId }, owner.accessToken)).resetMemberMfa.id).toBe(member.membershipId);
    expect(await mfaEnabled(member.user.id)).toBe(false);
  });

  it('lets the platform reset such a member’s MFA with a reason, recorded in each of their tenants’ logs', async () => {
    const owner = await signUp();
    const member = await memberOfTwoTenants(owner);
    expect(() => operatorCli('reset-mfa', member.user.email)).toThrow(/usage/);
    expect(() => operatorCli('reset-mfa', `nobody-${unique()}@example.test`, 'lost phone')).toThrow(/no user with email/);
    expect(await mfaEnabled(member.user.id)).toBe(true);

    expect(operatorCli('reset-mfa', member.user.email, 'lost', 'phone,', 'ticket', '4712')).toContain('recorded in the audit log of 2 tenant(s)');
    expect(await mfaEnabled(member.user.id)).toBe(false);
    expect(ok(await passwordLogin(member.tenant.slug, member.user.email)).login.role).toBe('OWNER');
    const { rows } = await admin().query(
      `SELECT tenant_id, payload FROM identity.outbox WHERE payload->>'action' = 'mfa.reset' AND payload->'data'->>'userId' = $1`,
      [member.user.id],
    );
    expect(rows.map((row) => row.tenant_id).sort()).toEqual([owner.tenant.id, member.tenant.id].sort());
    for (const { payload } of rows) {
      expect(payload).toMatchObject({ actorKind: 'SYSTEM', actorId: null, subjectType: 'Membership', reason: 'lost phone, ticket 4712', userAgent: 'npm run operator' });
    }
  });
});

describe('identity: invitation lifetime', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ INVITATION_TTL_SECONDS: '1' });
  });
  afterAll(async () => {
    await stack.stop();
    await closeAdmin();
  });

  it('refuses an expired invitation like an unknown one', async () => {
    const gql = graphqlClient(stack.gatewayUrl);
    const owner = await signUpOwner(gql);
    const { token } = (await gql('mutation { inviteMember(email: "late@example.test", role: MEMBER) { token } }', {}, owner.accessToken)).data.inviteMember;
    await new Promise((r) => setTimeout(r, 1100));
    const answer = await gql(`mutation ($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { role } }`, {
      input: { token, displayName: 'Late', password: PASSWORD },
    });
    expect(codeOf(answer)).toBe('BAD_USER_INPUT');
    expect(answer.errors![0].message).toMatch(/unknown, expired, revoked or already used/);
  });
});
