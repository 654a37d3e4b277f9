import { createHash } from 'node:crypto';
import { admin, closeAdmin } from '@compliance-graph/testing';
import { signUp } from './accounts';
import { codeOf, graphqlClient } from './graphql-client';
import { GATEWAY_KINDS, startStack, type Stack } from './stack';

const CREATE = 'mutation ($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret apiKey { id name role prefix expiresAt createdBy { id } lastUsedAt } } }';
const VIEWER = '{ viewer { principalKind role user { id } apiKey { id name } tenant { id } } }';

/** API keys as partners use them: a bearer credential on the graph, exchanged at the gateway. */
describe.each(GATEWAY_KINDS)('identity: API keys (%s gateway)', (gatewayKind) => {
  let stack: Stack;
  let gql: ReturnType<typeof graphqlClient>;
  let owner: { accessToken: string; user: { id: string }; tenant: { id: string } };

  const inDays = (days: number) => new Date(Date.now() + days * 86400_000).toISOString();

  beforeAll(async () => {
    stack = await startStack({}, { SESSION_CHECK_TTL_MS: '1000' }, gatewayKind);
    gql = graphqlClient(stack.gatewayUrl);
    owner = await signUp(gql);
  });
  afterAll(async () => {
    await stack.stop();
    await closeAdmin();
  });

  const createKey = async (role = 'PARTNER', expiresAt = inDays(30)) => {
    const answer = await gql(CREATE, { i: { name: 'Partner feed', role, expiresAt } }, owner.accessToken);
    expect(answer.errors).toBeUndefined();
    return answer.data.createApiKey as { secret: string; apiKey: { id: string; prefix: string } };
  };
  const untilRefused = async (credential: string) => {
    for (const deadline = Date.now() + 5000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
      if (codeOf(await gql(VIEWER, {}, credential)) === 'UNAUTHENTICATED') return true;
    }
    return false;
  };

  it('is shown once, stored as a SHA-256 only, and works as a bearer credential on the graph', async () => {
    const created = await createKey();
    expect(created.secret).toMatch(new RegExp(`^${created.apiKey.prefix}_[A-Za-z0-9_-]{43}$`));
    const { rows } = await admin().query(`SELECT secret_hash, t::text AS row FROM identity.api_keys t WHERE id = $1`, [created.apiKey.id]);
    expect(rows[0].secret_hash).toEqual(createHash('sha256').update(created.secret).digest());
    // The secret part itself may contain '_' (base64url), so it is what follows the prefix.
    expect(rows[0].row).not.toContain(created.secret.slice(`${created.apiKey.prefix}_`.length));

    const viewer = await gql(VIEWER, {}, created.secret);
    expect(viewer.data.viewer).toEqual({
      principalKind: 'API_KEY',
      role: 'PARTNER',
      user: null,
      apiKey: { id: created.apiKey.id, name: 'Partner feed' },
      tenant: { id: owner.tenant.id },
    });
    const listed = await gql('{ apiKeys { id lastUsedAt createdBy { id } } }', {}, owner.accessToken);
    expect(listed.data.apiKeys).toContainEqual({ id: created.apiKey.id, lastUsedAt: expect.any(String), createdBy: { id: owner.user.id } });
  });

  it('carries its role: a PARTNER key reads the register but not the members', async () => {
    const created = await createKey('PARTNER');
    expect(codeOf(await gql('{ members { totalCount } }', {}, created.secret))).toBe('FORBIDDEN');
    expect(codeOf(await gql(CREATE, { i: { name: 'x', role: 'MEMBER', expiresAt: inDays(1) } }, created.secret))).toBe('FORBIDDEN');
    const auditorKey = await createKey('AUDITOR');
    expect((await gql('{ apiKeys { id } }', {}, auditorKey.secret)).data.apiKeys.length).toBeGreaterThanOrEqual(2);
  });

  it.each([
    ['an OWNER role', 'OWNER', inDays(30)],
    ['an ADMIN role', 'ADMIN', inDays(30)],
    ['an expiry over 365 days', 'PARTNER', inDays(366)],
    ['an expiry in the past', 'PARTNER', inDays(-1)],
  ])('refuses %s with BAD_USER_INPUT and creates nothing', async (_label, role, expiresAt) => {
    const before = (await admin().query(`SELECT count(*)::int AS n FROM identity.api_keys WHERE tenant_id = $1`, [owner.tenant.id])).rows[0].n;
    expect(codeOf(await gql(CREATE, { i: { name: 'bad', role, expiresAt } }, owner.accessToken))).toBe('BAD_USER_INPUT');
    const after = (await admin().query(`SELECT count(*)::int AS n FROM identity.api_keys WHERE tenant_id = $1`, [owner.tenant.id])).rows[0].n;
    expect(after).toBe(before);
  });

  it('stops working within seconds of its revocation', async () => {
    const created = await createKey();
    expect((await gql(VIEWER, {}, created.secret)).data.viewer.principalKind).toBe('API_KEY');
    const revoked = await gql('mutation ($id: ID!) { revokeApiKey(id: $id) { revokedAt } }', { id: created.apiKey.id }, owner.accessToken);
    expect(revoked.data.revokeApiKey.revokedAt).toEqual(expect.any(String));
    expect(await untilRefused(created.secret)).toBe(true);
    const actions = (await admin().query(`SELECT payload->>'action' AS a FROM identity.outbox WHERE tenant_id = $1`, [owner.tenant.id])).rows.map((r) => r.a);
    expect(actions).toEqual(expect.arrayContaining(['api_key.created', 'api_key.revoked']));
  });

  it('answers an expired, unknown or malformed key alike', async () => {
    const expired = await createKey();
    await admin().query(`UPDATE identity.api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [expired.apiKey.id]);
    const answers = [
      await gql(VIEWER, {}, expired.secret),
      await gql(VIEWER, {}, `${expired.apiKey.prefix}_${'A'.repeat(43)}`),
      await gql(VIEWER, {}, 'cgk_nonsense'),
    ];
    for (const answer of answers) {
      expect(codeOf(answer)).toBe('UNAUTHENTICATED');
      expect(answer.errors![0].message).toBe(answers[0].errors![0].message);
      expect(answer.data).toBeUndefined();
    }
  });
});
