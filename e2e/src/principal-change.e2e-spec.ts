import { randomUUID } from 'node:crypto';
import { bearer, postGraphql } from '@compliance-graph/testing';
import { PASSWORD, signUp, unique, type AuthPayload } from './accounts';
import { graphqlClient } from './graphql-client';
import { GATEWAY_KINDS, ROUTER_SECRET, startStack, type Stack } from './stack';

/**
 * A mutation that issues a new principal must be the only root field of its operation: an
 * outside review turned a MEMBER into an ADMIN by following `login` with admin mutations in
 * one request. Refused with BAD_USER_INPUT before anything runs, at the gateway and at identity.
 */
describe.each(GATEWAY_KINDS)('principal-changing mutations stand alone (%s gateway)', (gatewayKind) => {
  let stack: Stack;
  let gql: ReturnType<typeof graphqlClient>;
  let owner: AuthPayload;
  const newSlug = `never-${unique()}`;

  beforeAll(async () => {
    stack = await startStack({}, {}, gatewayKind);
    gql = graphqlClient(stack.gatewayUrl);
    owner = await signUp(gql, 'Victim');
  });
  afterAll(() => stack.stop());

  const someId = randomUUID();
  const principalChanging: Record<string, string> = {
    login: `login(input: { tenantSlug: "victim", email: "member@example.test", password: "${PASSWORD}" }) { accessToken }`,
    signUp: `signUp(input: { tenantName: "Never", tenantSlug: "${newSlug}", email: "${newSlug}@example.test", password: "${PASSWORD}", displayName: "N" }) { accessToken }`,
    refreshSession: 'refreshSession(refreshToken: "rt_guess") { accessToken }',
    switchTenant: `switchTenant(tenantId: "${someId}") { accessToken }`,
    acceptInvitation: `acceptInvitation(input: { token: "inv_guess", displayName: "A", password: "${PASSWORD}" }) { accessToken }`,
    openSupportSession: 'openSupportSession(tenantSlug: "victim", reason: "look", minutes: 5) { accessToken }',
  };
  const adminMutations: Record<string, string> = {
    inviteMember: 'inviteMember(email: "new-admin@example.test", role: ADMIN) { token }',
    updateTenantSettings: 'updateTenantSettings(input: { supportAccessAllowed: true }) { id }',
    changeMemberRole: `changeMemberRole(membershipId: "${someId}", role: ADMIN) { id }`,
    revokeMembership: `revokeMembership(membershipId: "${someId}", reason: "gone") { id }`,
    resetMemberMfa: `resetMemberMfa(membershipId: "${someId}", reason: "lost phone") { id }`,
    createApiKey: 'createApiKey(input: { name: "exfil", role: ADMIN, expiresAt: "2030-01-01T00:00:00Z" }) { secret }',
    revokeApiKey: `revokeApiKey(id: "${someId}") { id }`,
    revokeInvitation: `revokeInvitation(id: "${someId}") { id }`,
    endSupportSession: `endSupportSession(id: "${someId}") { id }`,
    changePassword: `changePassword(currentPassword: "${PASSWORD}", newPassword: "another long password") `,
  };
  const combinations = Object.entries(principalChanging).flatMap(([changing, changeField]) =>
    Object.entries(adminMutations).flatMap(([admin, adminField]) => [
      [changing, admin, `mutation { ${changeField} ${adminField} }`],
      [changing, admin, `mutation { ${adminField} ${changeField} }`],
    ]),
  );

  const expectRefused = (body: { data?: unknown; errors?: Array<{ message: string; extensions: Record<string, unknown> }> }, mutation: string) => {
    expect(body.data).toBeUndefined();
    expect(body.errors).toEqual([
      { message: `${mutation} changes the caller, so it must be the only root field of its operation`, extensions: { code: 'BAD_USER_INPUT' } },
    ]);
  };

  it.each(combinations)('refuses %s combined with %s at the gateway: %s', async (changing, _admin, query) => {
    const answer = await postGraphql(`${stack.gatewayUrl}/graphql`, { query }, bearer(owner.accessToken));
    expect(answer.status).toBe(400);
    expectRefused(answer.body, changing);
  });

  it.each(combinations)('refuses %s combined with %s at identity itself: %s', async (changing, _admin, query) => {
    const answer = await postGraphql(`${stack.subgraphUrls.identity}/graphql`, { query }, { ...bearer(owner.accessToken), 'x-router-secret': ROUTER_SECRET });
    expect(answer.status).toBe(400);
    expectRefused(answer.body, changing);
  });

  it.each([
    ['an alias of itself', `mutation { a: ${principalChanging.login} b: ${principalChanging.login} }`],
    ['__typename', `mutation { __typename ${principalChanging.login} }`],
    ['a field in an inline fragment', `mutation { ${principalChanging.login} ... on Mutation { ${adminMutations.inviteMember} } }`],
    ['a field in a named fragment', `mutation { ...Both } fragment Both on Mutation { ${principalChanging.login} ${adminMutations.inviteMember} }`],
    ['a field spread beside it, the mutation inside a fragment', `mutation { ...Login ${adminMutations.inviteMember} } fragment Login on Mutation { ${principalChanging.login} }`],
  ])('refuses it beside %s', async (_label, query) => {
    const answer = await postGraphql(`${stack.gatewayUrl}/graphql`, { query }, bearer(owner.accessToken));
    expectRefused(answer.body, 'login');
  });

  it('ran nothing of what it refused: no tenant signed up, no invitation, no key, no setting changed', async () => {
    const state = await gql('{ invitations(pending: true) { id } apiKeys { id } tenant { supportAccessAllowed } }', {}, owner.accessToken);
    expect(state).toEqual({ data: { invitations: [], apiKeys: [], tenant: { supportAccessAllowed: false } } });
    const relogin = await gql(`mutation { login(input: { tenantSlug: "${owner.tenant.slug}", email: "${owner.user.email}", password: "${PASSWORD}" }) { accessToken } }`);
    expect(relogin.errors).toBeUndefined();
    // The slug is still free: the refused sign-ups did not create it.
    const signedUpNow = await gql(`mutation { ${principalChanging.signUp} }`);
    expect(signedUpNow.errors).toBeUndefined();
  });

  it('runs a principal-changing mutation alone, also when a document holds other operations', async () => {
    const query = `mutation Login { ${principalChanging.login} } mutation Invite { ${adminMutations.inviteMember} }`;
    const answer = await postGraphql(`${stack.gatewayUrl}/graphql`, { query, operationName: 'Login' });
    // It ran: the credentials are wrong, which only the resolver can say.
    expect(answer.body.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
  });
});
