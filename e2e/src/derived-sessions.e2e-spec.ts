import { admin, closeAdmin } from '@compliance-graph/testing';
import { AUTH, PASSWORD, signUp, type AuthPayload } from './accounts';
import { codeOf, graphqlClient } from './graphql-client';
import { startStack, type Stack } from './stack';

const RECENT_SIGN_IN_SECONDS = 2;

/** A session switchTenant derives is no more than the one it came from: a stolen token cannot outlive it. */
describe('sessions derived by switchTenant', () => {
  let stack: Stack;
  let gql: ReturnType<typeof graphqlClient>;
  let person: AuthPayload;
  let otherTenant: AuthPayload;

  beforeAll(async () => {
    stack = await startStack({ RECENT_SIGN_IN_SECONDS: String(RECENT_SIGN_IN_SECONDS) }, { SESSION_CHECK_TTL_MS: '0' });
    gql = graphqlClient(stack.gatewayUrl);
    person = await signUp(gql, 'Home');
    otherTenant = await signUp(gql, 'Away');
    const invited = await gql(`mutation { inviteMember(email: "${person.user.email}", role: MEMBER) { token } }`, {}, otherTenant.accessToken);
    const accepted = await gql('mutation ($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { accessToken } }', {
      input: { token: invited.data.inviteMember.token, displayName: 'ignored', password: PASSWORD },
    });
    expect(accepted.errors).toBeUndefined();
  });
  afterAll(async () => {
    await stack.stop();
    await closeAdmin();
  });

  const login = async (): Promise<AuthPayload> =>
    (await gql(`mutation ($input: LoginInput!) { login(input: $input) { ${AUTH} } }`, {
      input: { tenantSlug: person.tenant.slug, email: person.user.email, password: PASSWORD },
    })).data.login;
  const switchTo = async (tenantId: string, from: AuthPayload): Promise<AuthPayload> =>
    (await gql(`mutation ($t: ID!) { switchTenant(tenantId: $t) { ${AUTH} } }`, { t: tenantId }, from.accessToken)).data.switchTenant;
  const refresh = (auth: AuthPayload) => gql(`mutation ($r: String!) { refreshSession(refreshToken: $r) { ${AUTH} } }`, { r: auth.refreshToken });
  const sessionOf = async (auth: AuthPayload) => {
    const sid = JSON.parse(Buffer.from(auth.accessToken.split('.')[1], 'base64url').toString('utf8')).sid as string;
    const { rows } = await admin().query(`SELECT id, authenticated_at, expires_at, mfa_passed, origin_session_id FROM identity.sessions WHERE id = $1`, [sid]);
    return rows[0];
  };

  it.each([
    ['another tenant', () => otherTenant.tenant.id],
    ["the caller's own tenant", () => person.tenant.id],
  ])('into %s keeps the sign-in time and expiry of its origin, and ends with it', async (_label, tenantId) => {
    const origin = await login();
    const derived = await switchTo(tenantId(), origin);
    const [originRow, derivedRow] = [await sessionOf(origin), await sessionOf(derived)];
    expect(derivedRow).toMatchObject({
      origin_session_id: originRow.id,
      authenticated_at: originRow.authenticated_at,
      expires_at: originRow.expires_at,
      mfa_passed: originRow.mfa_passed,
    });

    expect((await gql('mutation ($r: String!) { logout(refreshToken: $r) }', { r: origin.refreshToken })).data.logout).toBe(true);
    expect(codeOf(await refresh(derived))).toBe('UNAUTHENTICATED');
    expect(codeOf(await gql('{ viewer { role } }', {}, derived.accessToken))).toBe('UNAUTHENTICATED');
  });

  it('ends when its origin is revoked for refresh token reuse', async () => {
    const origin = await login();
    const derived = await switchTo(otherTenant.tenant.id, origin);
    expect((await refresh(origin)).errors).toBeUndefined();
    expect(codeOf(await refresh(origin))).toBe('UNAUTHENTICATED');
    expect(codeOf(await refresh(derived))).toBe('UNAUTHENTICATED');
  });

  it('needs a recent sign-in, which neither switchTenant nor refreshSession renews, to start TOTP enrolment', async () => {
    const START = 'mutation { startTotpEnrollment { secret } }';
    const origin = await login();
    await new Promise((resolve) => setTimeout(resolve, RECENT_SIGN_IN_SECONDS * 1000 + 500));
    const derived = await switchTo(otherTenant.tenant.id, origin);
    const refreshed = (await refresh(origin)).data.refreshSession as AuthPayload;
    for (const stale of [derived, refreshed]) {
      const answer = await gql(START, {}, stale.accessToken);
      expect(codeOf(answer)).toBe('FORBIDDEN');
      expect(answer.errors![0].message).toMatch(/^Sign in again/);
    }
    expect((await gql(START, {}, (await login()).accessToken)).errors).toBeUndefined();
  });
});
