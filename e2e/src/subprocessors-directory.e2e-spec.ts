import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { IdentityDirectory } from '@compliance-graph/subprocessors';
import { PRINCIPAL_STATUS, TENANT_SETTINGS, callInternalApi } from '@compliance-graph/internal-api';
import { joinTenant, signUp, type AuthPayload } from './accounts';
import { graphqlClient } from './graphql-client';
import { INTERNAL_SERVICE_TOKEN, startStack, type Stack } from './stack';

const DIRECTORY_TOKEN = 'e2e-directory-token-0123456789abcdefghij';

/** The identity facts the subprocessors service reads through identity's directory API, against the real identity service. */
describe('subprocessors: identity directory', () => {
  let stack: Stack;
  let gql: ReturnType<typeof graphqlClient>;
  let owner: AuthPayload;
  let directory: IdentityDirectory;

  beforeAll(async () => {
    stack = await startStack({ SUBPROCESSORS_DIRECTORY_TOKEN: DIRECTORY_TOKEN, IDENTITY_DIRECTORY_TOKEN: DIRECTORY_TOKEN });
    gql = graphqlClient(stack.gatewayUrl);
    owner = await signUp(gql, 'Directory');
    directory = new IdentityDirectory({ url: stack.subgraphUrls.identity, credential: DIRECTORY_TOKEN, tenantTtlMs: 1 });
  });
  afterAll(() => stack?.stop());

  const settings = (overrides: Record<string, unknown> = {}) => ({
    tenantId: owner.tenant.id,
    slug: owner.tenant.slug,
    name: 'Directory',
    subprocessorNoticeDays: 30,
    publicSubprocessorPage: false,
    ...overrides,
  });

  it("answers a tenant's settings by id and by slug, and null for an unknown tenant", async () => {
    expect(await directory.tenant(owner.tenant.id)).toEqual(settings());
    expect(await directory.tenantBySlug(owner.tenant.slug)).toEqual(settings());
    expect(await directory.tenant(randomUUID())).toBeNull();
    expect(await directory.tenantBySlug('no-such-tenant-slug')).toBeNull();
  });

  it('follows a settings change once the cache entry has expired', async () => {
    const changed = await gql('mutation { updateTenantSettings(input: { subprocessorNoticeDays: 0, publicSubprocessorPage: true }) { id } }', {}, owner.accessToken);
    expect(changed.errors).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await directory.tenant(owner.tenant.id)).toEqual(settings({ subprocessorNoticeDays: 0, publicSubprocessorPage: true }));
  });

  it('asks identity once for a burst of lookups of one tenant that is not cached', async () => {
    // A forwarding proxy in front of the real identity counts what reaches it.
    let asked = 0;
    const proxy = createServer(async (request, response) => {
      asked++;
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const answer = await fetch(`${stack.subgraphUrls.identity}${request.url}`, { method: request.method, headers: request.headers as Record<string, string>, body: Buffer.concat(chunks) });
      response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' }).end(Buffer.from(await answer.arrayBuffer()));
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const counted = new IdentityDirectory({ url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, credential: DIRECTORY_TOKEN });
      const answers = await Promise.all(Array.from({ length: 20 }, () => counted.tenantBySlug(owner.tenant.slug)));
      expect(answers.every((answer) => answer?.tenantId === owner.tenant.id)).toBe(true);
      expect(asked).toBe(1);
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it("answers a member's display name, role and standing, and null in another tenant", async () => {
    const partner = await joinTenant(gql, owner.accessToken, 'PARTNER');
    expect(await directory.principal(owner.tenant.id, 'USER', partner.user.id)).toEqual({ name: 'PARTNER person', role: 'PARTNER', active: true });
    const other = await signUp(gql, 'Elsewhere');
    expect(await directory.principal(other.tenant.id, 'USER', partner.user.id)).toBeNull();
    expect(await directory.principal(owner.tenant.id, 'USER', randomUUID())).toBeNull();

    const members = await gql('{ members(first: 200) { nodes { id user { id } } } }', {}, owner.accessToken);
    const membershipId = members.data.members.nodes.find((m: { user: { id: string } }) => m.user.id === partner.user.id).id;
    const revoked = await gql('mutation ($id: ID!) { revokeMembership(membershipId: $id, reason: "left") { id } }', { id: membershipId }, owner.accessToken);
    expect(revoked.errors).toBeUndefined();
    expect(await directory.principal(owner.tenant.id, 'USER', partner.user.id)).toEqual({ name: 'PARTNER person', role: 'PARTNER', active: false });
  });

  it("answers an API key's name, role and standing (revoked: not active)", async () => {
    const expiresAt = new Date(Date.now() + 30 * 86400_000).toISOString();
    const created = await gql('mutation ($i: CreateApiKeyInput!) { createApiKey(input: $i) { apiKey { id } } }', { i: { name: 'Partner feed', role: 'PARTNER', expiresAt } }, owner.accessToken);
    const keyId = created.data.createApiKey.apiKey.id;
    expect(await directory.principal(owner.tenant.id, 'API_KEY', keyId)).toEqual({ name: 'Partner feed', role: 'PARTNER', active: true });
    await gql('mutation ($id: ID!) { revokeApiKey(id: $id) { id } }', { id: keyId }, owner.accessToken);
    expect(await directory.principal(owner.tenant.id, 'API_KEY', keyId)).toEqual({ name: 'Partner feed', role: 'PARTNER', active: false });
  });

  it("admits only the subprocessors service's directory credential, and refuses malformed questions", async () => {
    const ask = (bearer: string, body: object) => callInternalApi(stack.subgraphUrls.identity, TENANT_SETTINGS, { bearer, routerSecret: '', body: body as never });
    await expect(ask(INTERNAL_SERVICE_TOKEN, { tenantId: owner.tenant.id })).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    await expect(ask('', { tenantId: owner.tenant.id })).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    const raw = (path: string, body: object) =>
      fetch(`${stack.subgraphUrls.identity}${path}`, { method: 'POST', headers: { authorization: `Bearer ${DIRECTORY_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    for (const body of [{ tenantId: 'not-a-uuid' }, { slug: '' }, { tenantId: owner.tenant.id, slug: owner.tenant.slug }, {}]) {
      expect((await raw(TENANT_SETTINGS.path, body)).status).toBe(400);
    }
    expect((await raw(PRINCIPAL_STATUS.path, { tenantId: owner.tenant.id, kind: 'SUPPORT', subjectId: owner.user.id })).status).toBe(400);
    expect((await raw(PRINCIPAL_STATUS.path, { tenantId: owner.tenant.id, kind: 'USER', subjectId: 'x\u0000' })).status).toBe(400);
  });
});
