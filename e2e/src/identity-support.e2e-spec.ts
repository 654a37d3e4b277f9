import { admin, authenticatorCode, closeAdmin } from '@compliance-graph/testing';
import { AUTH, signUp as signUpOwner, unique } from './accounts';
import { operatorCli } from './fixtures';
import { codeOf, graphqlClient } from './graphql-client';
import { GATEWAY_KINDS, startStack, type Stack } from './stack';

const OPEN = 'mutation ($s: String!, $r: String!, $m: Int!) { openSupportSession(tenantSlug: $s, reason: $r, minutes: $m) { accessToken role tenant { id } user { id } } }';

/** Administrative access by platform operators: restricted, time-boxed, read-only and logged in the visited tenant. */
describe.each(GATEWAY_KINDS)('identity: support access (%s gateway)', (gatewayKind) => {
  let stack: Stack;
  let gql: ReturnType<typeof graphqlClient>;

  beforeAll(async () => {
    stack = await startStack({}, { SESSION_CHECK_TTL_MS: '1000' }, gatewayKind);
    gql = graphqlClient(stack.gatewayUrl);
  });
  afterAll(async () => {
    await stack.stop();
    await closeAdmin();
  });

  const signUp = (name: string) => signUpOwner(gql, name);
  /** An operator signed in with MFA, as the contract requires. */
  const operatorWithMfa = async () => {
    const home = await signUp('Platform');
    const { secret } = (await gql('mutation { startTotpEnrollment { secret } }', {}, home.accessToken)).data.startTotpEnrollment;
    await gql('mutation ($c: String!) { confirmTotpEnrollment(code: $c) { recoveryCodes } }', { c: authenticatorCode(secret) }, home.accessToken);
    expect(operatorCli('grant', home.user.email)).toContain('granted');
    const signedIn = (await gql(`mutation ($t: String!) { refreshSession(refreshToken: $t) { ${AUTH} } }`, { t: home.refreshToken })).data.refreshSession;
    return { ...signedIn, secret };
  };
  const customerAllowingSupport = async () => {
    const customer = await signUp('Customer');
    await gql('mutation { updateTenantSettings(input: { supportAccessAllowed: true }) { id } }', {}, customer.accessToken);
    return customer;
  };
  const outbox = async (tenantId: string) =>
    (await admin().query(`SELECT payload FROM identity.outbox WHERE tenant_id = $1 ORDER BY position`, [tenantId])).rows.map((r) => r.payload);

  it('lets an operator with MFA open a read-only, time-boxed session that the tenant sees and its log records', async () => {
    const operator = await operatorWithMfa();
    const customer = await customerAllowingSupport();
    const opened = await gql(OPEN, { s: customer.tenant.slug, r: 'ticket 4711: export fails', m: 30 }, operator.accessToken);
    expect(opened.errors).toBeUndefined();
    const support = opened.data.openSupportSession;
    expect(support).toMatchObject({ role: 'AUDITOR', tenant: { id: customer.tenant.id }, user: { id: operator.user.id } });

    const viewer = (await gql('query WhoAmI { viewer { principalKind role supportSessionExpiresAt } }', {}, support.accessToken)).data.viewer;
    expect(viewer).toMatchObject({ principalKind: 'SUPPORT', role: 'AUDITOR' });
    expect(Date.parse(viewer.supportSessionExpiresAt) - Date.now()).toBeGreaterThan(29 * 60_000);
    expect((await gql('query Members { members { totalCount } }', {}, support.accessToken)).data.members.totalCount).toBe(1);
    expect(codeOf(await gql('mutation Change { updateTenantSettings(input: { name: "x" }) { id } }', {}, support.accessToken))).toBe('FORBIDDEN');

    const listed = (await gql('{ supportSessions { reason endedAt operator { id displayName } } }', {}, customer.accessToken)).data.supportSessions;
    expect(listed).toEqual([{ reason: 'ticket 4711: export fails', endedAt: null, operator: { id: operator.user.id, displayName: 'Platform person' } }]);

    const events = await outbox(customer.tenant.id);
    const opening = events.find((e) => e.action === 'support.session_opened');
    expect(opening).toMatchObject({ actorKind: 'SUPPORT', actorId: operator.user.id, reason: 'ticket 4711: export fails', subjectType: 'SupportSession' });
    const requests = events.filter((e) => e.action === 'support.request').map((e) => e.data.operation);
    expect(requests).toEqual(['graphql WhoAmI', 'graphql Members', 'graphql Change']);
  });

  it('issues access tokens that expire no later than the support session', async () => {
    const operator = await operatorWithMfa();
    const customer = await customerAllowingSupport();
    const support = (await gql(OPEN, { s: customer.tenant.slug, r: 'ticket 9: a short look', m: 5 }, operator.accessToken)).data.openSupportSession;
    const { exp } = JSON.parse(Buffer.from(support.accessToken.split('.')[1], 'base64url').toString('utf8')) as { exp: number };
    const viewer = (await gql('{ viewer { supportSessionExpiresAt } }', {}, support.accessToken)).data.viewer;
    expect(exp * 1000).toBeLessThanOrEqual(Date.parse(viewer.supportSessionExpiresAt));
  });

  it('refuses the tenant that does not allow it, non-operators, sessions without MFA and boxes over an hour', async () => {
    const operator = await operatorWithMfa();
    const closed = await signUp('Closed');
    expect(codeOf(await gql(OPEN, { s: closed.tenant.slug, r: 'look around', m: 10 }, operator.accessToken))).toBe('FORBIDDEN');

    const customer = await customerAllowingSupport();
    expect(codeOf(await gql(OPEN, { s: customer.tenant.slug, r: 'because', m: 61 }, operator.accessToken))).toBe('BAD_USER_INPUT');
    expect(codeOf(await gql(OPEN, { s: `missing-${unique()}`, r: 'because', m: 10 }, operator.accessToken))).toBe('NOT_FOUND');
    expect(codeOf(await gql(OPEN, { s: customer.tenant.slug, r: 'curious', m: 10 }, customer.accessToken))).toBe('FORBIDDEN');

    const passwordOnly = await signUp('Lazy');
    operatorCli('grant', passwordOnly.user.email);
    expect(codeOf(await gql(OPEN, { s: customer.tenant.slug, r: 'curious', m: 10 }, passwordOnly.accessToken))).toBe('FORBIDDEN');
    expect((await admin().query(`SELECT count(*)::int AS n FROM identity.sessions WHERE tenant_id = $1 AND kind = 'SUPPORT'`, [customer.tenant.id])).rows[0].n).toBe(0);
  });

  it('ends by itself or by the tenant’s admin, and is refused within seconds after', async () => {
    const operator = await operatorWithMfa();
    const customer = await customerAllowingSupport();
    const first = (await gql(OPEN, { s: customer.tenant.slug, r: 'first', m: 15 }, operator.accessToken)).data.openSupportSession;
    const second = (await gql(OPEN, { s: customer.tenant.slug, r: 'second', m: 15 }, operator.accessToken)).data.openSupportSession;
    const sessions = (await gql('{ supportSessions { id reason } }', {}, customer.accessToken)).data.supportSessions;
    const idOf = (reason: string) => sessions.find((s: any) => s.reason === reason).id;
    const end = 'mutation ($id: ID!) { endSupportSession(id: $id) { endedAt } }';

    expect(codeOf(await gql(end, { id: idOf('second') }, first.accessToken))).toBe('FORBIDDEN');
    expect((await gql(end, { id: idOf('first') }, first.accessToken)).data.endSupportSession.endedAt).toEqual(expect.any(String));
    expect((await gql(end, { id: idOf('second') }, customer.accessToken)).data.endSupportSession.endedAt).toEqual(expect.any(String));
    for (const token of [first.accessToken, second.accessToken]) {
      let refused = false;
      for (const deadline = Date.now() + 5000; !refused && Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
        refused = codeOf(await gql('{ viewer { role } }', {}, token)) === 'UNAUTHENTICATED';
      }
      expect(refused).toBe(true);
    }
    const ended = (await outbox(customer.tenant.id)).filter((e) => e.action === 'support.session_ended').map((e) => e.data.endedBy);
    expect(ended).toEqual(['ended_by_operator', 'ended_by_tenant']);
  });

  it('the operator CLI refuses an unknown email and bad usage', () => {
    expect(() => operatorCli('grant', `nobody-${unique()}@example.test`)).toThrow(/no user with email/);
    expect(() => operatorCli('promote')).toThrow(/usage/);
  });
});
