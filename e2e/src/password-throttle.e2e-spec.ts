import { AUTH, PASSWORD, signUp, signUpInput, type AuthPayload } from './accounts';
import { codeOf, graphqlClient } from './graphql-client';
import { startStack, type Stack } from './stack';

const USER_LIMIT = 5;
const ACCOUNT_LIMIT = 3;
const SIGNUP_LIMIT = 3;
const WRONG = 'not the password at all';

/**
 * Every path that checks a password or a code counts against one throttle: per tenant slug +
 * email, per user across every tenant and path, per client address. Each client here has its
 * own address (the gateway trusts the test's X-Forwarded-For), as an attacker with many would.
 */
describe('throttling every password and code check', () => {
  let stack: Stack;
  const client = () => graphqlClient(stack.gatewayUrl);

  beforeAll(async () => {
    stack = await startStack(
      {
        LOGIN_THROTTLE_ACCOUNT_LIMIT: String(ACCOUNT_LIMIT),
        LOGIN_THROTTLE_USER_LIMIT: String(USER_LIMIT),
        LOGIN_THROTTLE_ADDRESS_LIMIT: '1000',
        SIGNUP_THROTTLE_ADDRESS_LIMIT: String(SIGNUP_LIMIT),
      },
      { TRUSTED_PROXIES: '127.0.0.1' },
    );
  });
  afterAll(() => stack.stop());

  const login = (person: AuthPayload, password: string) =>
    client()(`mutation ($input: LoginInput!) { login(input: $input) { ${AUTH} } }`, {
      input: { tenantSlug: person.tenant.slug, email: person.user.email, password },
    });
  const expectRateLimited = (answer: Awaited<ReturnType<ReturnType<typeof client>>>) => {
    expect(codeOf(answer)).toBe('RATE_LIMITED');
    expect(answer.errors![0].extensions.retryAfterSeconds).toEqual(expect.any(Number));
    expect(answer.errors![0].extensions.retryAfterSeconds as number).toBeGreaterThan(0);
  };

  it("limits acceptInvitation's password checks per user, across tenants an attacker signs up, and the right password then fails too", async () => {
    const victim = await signUp(client(), 'Victim');
    // Each guess from a new tenant of the attacker's own, a new invitation and a new address.
    const guess = async (password: string) => {
      const attacker = client();
      const owner = await signUp(attacker, 'Attacker');
      const invited = await attacker(`mutation { inviteMember(email: "${victim.user.email}", role: MEMBER) { token } }`, {}, owner.accessToken);
      return attacker('mutation ($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { accessToken } }', {
        input: { token: invited.data.inviteMember.token, displayName: 'V', password },
      });
    };
    for (let i = 0; i < USER_LIMIT; i++) expect(codeOf(await guess(WRONG))).toBe('UNAUTHENTICATED');
    expectRateLimited(await guess(PASSWORD));
    // The user's counter is the same on every path: the victim's own login waits too.
    expectRateLimited(await login(victim, PASSWORD));
  });

  it('limits changePassword checks of the current password', async () => {
    const person = await signUp(client(), 'Changer');
    const change = (currentPassword: string) =>
      client()('mutation ($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }', { c: currentPassword, n: 'a brand new long password' }, person.accessToken);
    for (let i = 0; i < USER_LIMIT; i++) expect(codeOf(await change(WRONG))).toBe('BAD_USER_INPUT');
    expectRateLimited(await change(PASSWORD));
  });

  it('limits confirmTotpEnrollment code checks', async () => {
    const person = await signUp(client(), 'Enroller');
    const gql = client();
    expect((await gql('mutation { startTotpEnrollment { secret } }', {}, person.accessToken)).errors).toBeUndefined();
    const confirm = (code: string) => gql('mutation ($code: String!) { confirmTotpEnrollment(code: $code) { recoveryCodes } }', { code }, person.accessToken);
    for (let i = 0; i < USER_LIMIT; i++) expect(codeOf(await confirm('000000'))).toBe('BAD_USER_INPUT');
    expectRateLimited(await confirm('000000'));
  });

  it('checks no more passwords than the limit when 40 wrong logins for one account arrive at once', async () => {
    const person = await signUp(client(), 'Parallel');
    const answers = await Promise.all(Array.from({ length: 40 }, () => login(person, WRONG)));
    const codes = answers.map(codeOf);
    expect(codes.filter((code) => code === 'UNAUTHENTICATED')).toHaveLength(ACCOUNT_LIMIT);
    expect(codes.filter((code) => code === 'RATE_LIMITED')).toHaveLength(40 - ACCOUNT_LIMIT);
  });

  it('limits sign-ups per client address', async () => {
    const gql = client();
    const SIGN_UP = `mutation ($input: SignUpInput!) { signUp(input: $input) { accessToken } }`;
    for (let i = 0; i < SIGNUP_LIMIT; i++) expect((await gql(SIGN_UP, { input: signUpInput('Many') })).errors).toBeUndefined();
    const refused = await gql(SIGN_UP, { input: signUpInput('Many') });
    expectRateLimited(refused);
    expect(refused.data).toBeNull();
    expect(codeOf(await client()(SIGN_UP, { input: signUpInput('Other') }))).toBeUndefined();
  });
});
