import { createHash } from 'node:crypto';
import { admin, authenticatorCode, closeAdmin } from '@compliance-graph/testing';
import { AUTH, PASSWORD, unique } from './accounts';
import { codeOf, graphqlClient, randomClientAddress } from './graphql-client';
import { GATEWAY_KINDS, startStack, type Stack } from './stack';

const SIGN_UP = `mutation ($input: SignUpInput!) { signUp(input: $input) { ${AUTH} } }`;
const LOGIN = `mutation ($input: LoginInput!) { login(input: $input) { ${AUTH} } }`;
const REFRESH = `mutation ($t: String!) { refreshSession(refreshToken: $t) { ${AUTH} } }`;
const LOGOUT = `mutation ($t: String!) { logout(refreshToken: $t) }`;
const VIEWER = '{ viewer { role principalKind tenant { slug } user { email } } }';

/** Sessions, passwords and MFA through the gateway over HTTP, as a frontend uses them. */
describe.each(GATEWAY_KINDS)('identity: sessions, passwords, MFA (%s gateway)', (gatewayKind) => {
  let stack: Stack;
  let gql: ReturnType<typeof graphqlClient>;
  /** The address the trusted proxy in front of the gateway reports for this test's client. */
  const clientIp = randomClientAddress();

  beforeAll(async () => {
    stack = await startStack(
      { LOGIN_THROTTLE_ACCOUNT_LIMIT: '3', LOGIN_THROTTLE_ADDRESS_LIMIT: '6', LOGIN_THROTTLE_BASE_SECONDS: '60' },
      { TRUSTED_PROXIES: '127.0.0.1', SESSION_CHECK_TTL_MS: '1000' },
      gatewayKind,
    );
    gql = graphqlClient(stack.gatewayUrl, clientIp);
  });
  afterAll(async () => {
    await stack.stop();
    await closeAdmin();
  });

  const signUp = async (overrides: Record<string, string> = {}) => {
    const input = { tenantName: 'Acme', tenantSlug: `acme-${unique()}`, email: `Owner.${unique()}@Example.test `, password: PASSWORD, displayName: 'Olga Owner', ...overrides };
    return { input, body: await gql(SIGN_UP, { input }) };
  };
  // A fresh client address per login unless a test says otherwise: the address counter is shared.
  const login = (input: Record<string, unknown>, client = graphqlClient(stack.gatewayUrl)) => client(LOGIN, { input });
  const outboxActions = async (tenantId: string) =>
    (await admin().query(`SELECT payload->>'action' AS action FROM identity.outbox WHERE tenant_id = $1 ORDER BY position`, [tenantId])).rows.map(
      (r) => r.action,
    );
  /** The gateway trusts its answer about a session for at most a second here; wait it out. */
  const untilRefused = async (token: string) => {
    for (const deadline = Date.now() + 5000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
      if (codeOf(await gql(VIEWER, {}, token)) === 'UNAUTHENTICATED') return true;
    }
    return false;
  };

  describe('sign-up', () => {
    it('creates the tenant and its OWNER, signed in, with a normalised email', async () => {
      const { input, body } = await signUp();
      expect(body.errors).toBeUndefined();
      const auth = body.data.signUp;
      expect(auth).toMatchObject({ role: 'OWNER', tenant: { slug: input.tenantSlug }, user: { email: input.email.trim().toLowerCase() } });
      expect(auth.refreshToken).toMatch(/^cgr_/);
      const viewer = await gql(VIEWER, {}, auth.accessToken);
      expect(viewer.data.viewer).toEqual({
        role: 'OWNER',
        principalKind: 'USER',
        tenant: { slug: input.tenantSlug },
        user: { email: input.email.trim().toLowerCase() },
      });
      expect(await outboxActions(auth.tenant.id)).toEqual(['tenant.created', 'membership.created']);
      const [created] = (await admin().query(`SELECT payload FROM identity.outbox WHERE tenant_id = $1 ORDER BY position LIMIT 1`, [auth.tenant.id])).rows;
      expect(created.payload).toMatchObject({
        actorKind: 'USER',
        actorId: auth.user.id,
        subjectType: 'Tenant',
        subjectId: auth.tenant.id,
        service: 'identity',
        ip: clientIp,
        userAgent: expect.stringMatching(/node/i),
      });
    });

    it.each([
      ['an invalid email', { email: 'not-an-email' }, 'BAD_USER_INPUT'],
      ['a short password', { password: 'short pass' }, 'BAD_USER_INPUT'],
      ['an invalid slug', { tenantSlug: 'Has Spaces' }, 'BAD_USER_INPUT'],
      ['an empty tenant name', { tenantName: '   ' }, 'BAD_USER_INPUT'],
    ])('refuses %s and creates nothing', async (_label, overrides, code) => {
      const { input, body } = await signUp(overrides);
      expect(codeOf(body)).toBe(code);
      expect(body.data).toBeNull();
      const { rows } = await admin().query(`SELECT count(*)::int AS n FROM identity.tenants WHERE slug = $1`, [input.tenantSlug]);
      expect(rows[0].n).toBe(0);
    });

    it('refuses a taken slug or email with CONFLICT and changes nothing', async () => {
      const first = await signUp();
      const sameSlug = await signUp({ tenantSlug: first.input.tenantSlug });
      expect(codeOf(sameSlug.body)).toBe('CONFLICT');
      const sameEmail = await signUp({ email: first.input.email.toUpperCase() });
      expect(codeOf(sameEmail.body)).toBe('CONFLICT');
      const { rows } = await admin().query(`SELECT count(*)::int AS n FROM identity.tenants WHERE slug = $1`, [sameEmail.input.tenantSlug]);
      expect(rows[0].n).toBe(0);
      expect(JSON.stringify(sameEmail.body)).not.toMatch(/users_email_key|duplicate key/);
    });
  });

  describe('login', () => {
    it('signs in with the right password and records it', async () => {
      const { input, body } = await signUp();
      const answer = await login({ tenantSlug: input.tenantSlug, email: input.email, password: PASSWORD });
      expect(answer.data.login).toMatchObject({ role: 'OWNER', user: { id: body.data.signUp.user.id } });
      expect(await outboxActions(body.data.signUp.tenant.id)).toContain('user.logged_in');
    });

    it('answers every kind of failed login with the same UNAUTHENTICATED message, records it and changes nothing else', async () => {
      const { input, body } = await signUp();
      const tenantId = body.data.signUp.tenant.id;
      const before = await admin().query(`SELECT last_login_at FROM identity.users WHERE id = $1`, [body.data.signUp.user.id]);
      const failures = await Promise.all([
        login({ tenantSlug: input.tenantSlug, email: input.email, password: 'wrong password!!' }, graphqlClient(stack.gatewayUrl)),
        login({ tenantSlug: input.tenantSlug, email: `nobody-${unique()}@example.test`, password: PASSWORD }, graphqlClient(stack.gatewayUrl)),
        login({ tenantSlug: `missing-${unique()}`, email: input.email, password: PASSWORD }, graphqlClient(stack.gatewayUrl)),
      ]);
      for (const failure of failures) {
        expect(failure.data).toBeNull();
        expect(failure.errors).toEqual([expect.objectContaining({ message: failures[0].errors![0].message, extensions: { code: 'UNAUTHENTICATED' } })]);
      }
      const after = await admin().query(`SELECT last_login_at FROM identity.users WHERE id = $1`, [body.data.signUp.user.id]);
      expect(after.rows).toEqual(before.rows);
      expect((await outboxActions(tenantId)).filter((a) => a === 'user.login_failed')).toHaveLength(2);
    });

    it('throttles an account after repeated failures, whether or not it exists, even for the right password', async () => {
      const { input } = await signUp();
      for (const email of [input.email, `ghost-${unique()}@example.test`]) {
        for (let i = 0; i < 3; i++) {
          const failed = await login({ tenantSlug: input.tenantSlug, email, password: 'wrong password!!' }, graphqlClient(stack.gatewayUrl));
          expect(codeOf(failed)).toBe('UNAUTHENTICATED');
        }
        const blocked = await login({ tenantSlug: input.tenantSlug, email, password: PASSWORD }, graphqlClient(stack.gatewayUrl));
        expect(codeOf(blocked)).toBe('RATE_LIMITED');
        expect(blocked.errors![0].extensions.retryAfterSeconds).toEqual(expect.any(Number));
        expect(blocked.errors![0].extensions.retryAfterSeconds as number).toBeGreaterThan(0);
      }
    });

    it('throttles a client address across accounts', async () => {
      const { input } = await signUp();
      const oneAddress = graphqlClient(stack.gatewayUrl, randomClientAddress());
      for (let i = 0; i < 6; i++) {
        const failed = await login({ tenantSlug: input.tenantSlug, email: `spray-${i}-${unique()}@example.test`, password: 'wrong password!!' }, oneAddress);
        expect(codeOf(failed)).toBe('UNAUTHENTICATED');
      }
      expect(codeOf(await login({ tenantSlug: input.tenantSlug, email: input.email, password: PASSWORD }, oneAddress))).toBe('RATE_LIMITED');
      expect(codeOf(await login({ tenantSlug: input.tenantSlug, email: input.email, password: PASSWORD }))).toBeUndefined();
    });

    it('refuses alias-batched login attempts before they run', async () => {
      const batch = Array.from({ length: 20 }, (_, i) => `a${i}: login(input: $input) { accessToken }`).join(' ');
      const answer = await gql(`mutation ($input: LoginInput!) { ${batch} }`, {
        input: { tenantSlug: 'acme', email: 'a@example.test', password: 'guess guess guess' },
      });
      expect(codeOf(answer)).toBe('GRAPHQL_VALIDATION_FAILED');
    });
  });

  describe('refresh tokens', () => {
    it('rotate on every use; a reused one revokes the whole session', async () => {
      const { body } = await signUp();
      const first = body.data.signUp;
      const second = (await gql(REFRESH, { t: first.refreshToken })).data.refreshSession;
      expect(second.refreshToken).not.toBe(first.refreshToken);
      expect((await gql(VIEWER, {}, second.accessToken)).data.viewer.role).toBe('OWNER');

      const replay = await gql(REFRESH, { t: first.refreshToken });
      expect(codeOf(replay)).toBe('UNAUTHENTICATED');
      expect(codeOf(await gql(REFRESH, { t: second.refreshToken }))).toBe('UNAUTHENTICATED');
      expect(await untilRefused(second.accessToken)).toBe(true);
      expect(await outboxActions(first.tenant.id)).toEqual(expect.arrayContaining(['session.refreshed', 'session.revoked']));
    });

    it('end with logout', async () => {
      const { body } = await signUp();
      const auth = body.data.signUp;
      expect((await gql(LOGOUT, { t: auth.refreshToken })).data.logout).toBe(true);
      expect(codeOf(await gql(REFRESH, { t: auth.refreshToken }))).toBe('UNAUTHENTICATED');
      expect(codeOf(await gql(LOGOUT, { t: auth.refreshToken }))).toBe('UNAUTHENTICATED');
      expect(await untilRefused(auth.accessToken)).toBe(true);
    });

    it('are refused when unknown', async () => {
      expect(codeOf(await gql(REFRESH, { t: 'cgr_made-up' }))).toBe('UNAUTHENTICATED');
    });

    it('are stored only as hashes', async () => {
      const { body } = await signUp();
      const token = body.data.signUp.refreshToken as string;
      const { rows } = await admin().query(`SELECT token_hash FROM identity.refresh_tokens WHERE token_hash = $1`, [
        createHash('sha256').update(token).digest(),
      ]);
      expect(rows).toHaveLength(1);
      const dump = await admin().query(`SELECT count(*)::int AS n FROM identity.refresh_tokens r WHERE r::text LIKE $1`, [`%${token.slice(4, 20)}%`]);
      expect(dump.rows[0].n).toBe(0);
    });
  });

  describe('passwords', () => {
    it('are stored as argon2id with at least OWASP parameters', async () => {
      const { body } = await signUp();
      const { rows } = await admin().query(`SELECT password_hash FROM identity.users WHERE id = $1`, [body.data.signUp.user.id]);
      expect(rows[0].password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    });

    it('change only with the current password, and end the other sessions', async () => {
      const { input, body } = await signUp();
      const here = body.data.signUp;
      const elsewhere = (await login({ tenantSlug: input.tenantSlug, email: input.email, password: PASSWORD })).data.login;
      const change = 'mutation ($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }';

      expect(codeOf(await gql(change, { c: 'not my password', n: 'a brand new passphrase' }, here.accessToken))).toBe('BAD_USER_INPUT');
      expect(codeOf(await gql(change, { c: PASSWORD, n: 'too short' }, here.accessToken))).toBe('BAD_USER_INPUT');
      expect((await gql(change, { c: PASSWORD, n: 'a brand new passphrase' }, here.accessToken)).data.changePassword).toBe(true);

      expect(await untilRefused(elsewhere.accessToken)).toBe(true);
      expect(codeOf(await gql(REFRESH, { t: elsewhere.refreshToken }))).toBe('UNAUTHENTICATED');
      expect((await gql(VIEWER, {}, here.accessToken)).data.viewer.role).toBe('OWNER');
      expect(codeOf(await login({ tenantSlug: input.tenantSlug, email: input.email, password: PASSWORD }))).toBe('UNAUTHENTICATED');
      expect(codeOf(await login({ tenantSlug: input.tenantSlug, email: input.email, password: 'a brand new passphrase' }))).toBeUndefined();
    });
  });

  describe('MFA', () => {
    const START = 'mutation { startTotpEnrollment { secret otpauthUri } }';
    const CONFIRM = 'mutation ($code: String!) { confirmTotpEnrollment(code: $code) { recoveryCodes } }';

    async function enrolledOwner() {
      const { input, body } = await signUp();
      const auth = body.data.signUp;
      const { secret, otpauthUri } = (await gql(START, {}, auth.accessToken)).data.startTotpEnrollment;
      expect(otpauthUri).toContain(`secret=${secret}`);
      expect(codeOf(await gql(CONFIRM, { code: '000000' === authenticatorCode(secret) ? '111111' : '000000' }, auth.accessToken))).toBe('BAD_USER_INPUT');
      const confirmed = await gql(CONFIRM, { code: authenticatorCode(secret) }, auth.accessToken);
      const recoveryCodes: string[] = confirmed.data.confirmTotpEnrollment.recoveryCodes;
      return { input, auth, secret, recoveryCodes };
    }

    it('enrols with a code, then login needs a code; a code works once; seeds and recovery codes are not stored in clear', async () => {
      const { input, auth, secret, recoveryCodes } = await enrolledOwner();
      expect(recoveryCodes).toHaveLength(10);
      const credentials = { tenantSlug: input.tenantSlug, email: input.email, password: PASSWORD };

      expect(codeOf(await login(credentials))).toBe('MFA_REQUIRED');
      expect(codeOf(await login({ ...credentials, totpCode: '123' }))).toBe('UNAUTHENTICATED');
      // The enrolment used up the current step; the next one is within the ±1 window.
      const nextCode = authenticatorCode(secret, new Date(Date.now() + 30_000));
      expect((await login({ ...credentials, totpCode: nextCode })).data.login.role).toBe('OWNER');
      expect(codeOf(await login({ ...credentials, totpCode: nextCode }))).toBe('UNAUTHENTICATED');

      const [user] = (await admin().query(`SELECT u.*, (SELECT array_agg(code_hash) FROM identity.recovery_codes WHERE user_id = u.id) AS hashes FROM identity.users u WHERE id = $1`, [auth.user.id])).rows;
      expect(user.mfa_enabled).toBe(true);
      expect(user.totp_secret).toMatch(/^v1\./);
      expect(JSON.stringify(user)).not.toContain(secret);
      for (const code of recoveryCodes) expect(JSON.stringify(user)).not.toContain(code.replace(/-/g, ''));
      expect(user.hashes).toHaveLength(10);
    });

    it('accepts each recovery code once instead of a TOTP code', async () => {
      const { input, auth, recoveryCodes } = await enrolledOwner();
      const credentials = { tenantSlug: input.tenantSlug, email: input.email, password: PASSWORD };
      expect((await login({ ...credentials, totpCode: recoveryCodes[0].toUpperCase() })).data.login.role).toBe('OWNER');
      expect(codeOf(await login({ ...credentials, totpCode: recoveryCodes[0] }))).toBe('UNAUTHENTICATED');
      expect(await outboxActions(auth.tenant.id)).toEqual(expect.arrayContaining(['mfa.enrolled', 'mfa.recovery_code_used']));
    });

    it('regenerates recovery codes only with a fresh TOTP code', async () => {
      const { auth, secret, recoveryCodes } = await enrolledOwner();
      const regenerate = 'mutation ($c: String!) { regenerateRecoveryCodes(totpCode: $c) { recoveryCodes } }';
      expect(codeOf(await gql(regenerate, { c: authenticatorCode(secret) }, auth.accessToken))).toBe('BAD_USER_INPUT');
      const fresh = await gql(regenerate, { c: authenticatorCode(secret, new Date(Date.now() + 30_000)) }, auth.accessToken);
      expect(fresh.data.regenerateRecoveryCodes.recoveryCodes).toHaveLength(10);
      expect(fresh.data.regenerateRecoveryCodes.recoveryCodes).not.toContain(recoveryCodes[0]);
    });

    it('a tenant that enforces MFA gives an enrolment-only token until the member enrols', async () => {
      const { input, body } = await signUp();
      const owner = body.data.signUp;
      const settings = 'mutation { updateTenantSettings(input: { mfaRequired: true }) { mfaRequired } }';
      expect((await gql(settings, {}, owner.accessToken)).data.updateTenantSettings.mfaRequired).toBe(true);

      const restricted = (await login({ tenantSlug: input.tenantSlug, email: input.email, password: PASSWORD })).data.login;
      expect((await gql(VIEWER, {}, restricted.accessToken)).data.viewer.role).toBe('OWNER');
      expect(codeOf(await gql('{ members { totalCount } }', {}, restricted.accessToken))).toBe('MFA_REQUIRED');
      expect(codeOf(await gql(settings, {}, restricted.accessToken))).toBe('MFA_REQUIRED');

      const { secret } = (await gql(START, {}, restricted.accessToken)).data.startTotpEnrollment;
      await gql(CONFIRM, { code: authenticatorCode(secret) }, restricted.accessToken);
      const full = (await gql(REFRESH, { t: restricted.refreshToken })).data.refreshSession;
      expect((await gql('{ members { totalCount } }', {}, full.accessToken)).data.members.totalCount).toBe(1);
    });
  });
});
