import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, UnsecuredJWT } from 'jose';
import { generateSigningKey, importSigningKey, type Role } from '@compliance-graph/auth';
import {
  addMember,
  bearer,
  closeAdmin,
  createTenant,
  mintToken,
  postGraphql,
  principal,
  signIn,
  testKeys,
  TEST_AUDIENCE,
  type TestTenant,
} from '@compliance-graph/testing';
import { insertEvidence } from './fixtures';
import { GATEWAY_KINDS, ROUTER_SECRET, startAnotherGateway, startStack, type RunningGatewayOfKind, type Stack } from './stack';

const EVIDENCE_QUERY = 'query ($id: ID!) { evidence(id: $id) { id title createdBy { id displayName } } }';

describe.each(GATEWAY_KINDS)('gateway over real HTTP (%s gateway)', (gatewayKind) => {
  let stack: Stack;
  let acme: TestTenant;
  let globex: TestTenant;
  const graphql = () => `${stack.gatewayUrl}/graphql`;

  beforeAll(async () => {
    stack = await startStack({}, {}, gatewayKind);
    acme = await createTenant('Acme');
    globex = await createTenant('Globex');
  });
  afterAll(async () => {
    await stack.stop();
    await closeAdmin();
  });

  const anotherGateway = (overrides: Record<string, string>) => startAnotherGateway(stack, overrides);

  /** A live session of a member with `role` (the owner for OWNER). */
  const tokenFor = async (tenant: TestTenant, role: Role = 'OWNER') =>
    (await signIn(tenant.tenantId, role === 'OWNER' ? tenant.owner : await addMember(tenant.tenantId, role))).token;

  it('answers one query across evidence and identity', async () => {
    const member = await addMember(acme.tenantId, 'MEMBER', 'Mina Member');
    const id = await insertEvidence(acme.tenantId, member.userId);
    const answer = await postGraphql(graphql(), { query: EVIDENCE_QUERY, variables: { id } }, bearer(await tokenFor(acme)));
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      data: { evidence: { id, title: 'Access policy v3', createdBy: { id: member.userId, displayName: 'Mina Member' } } },
    });
  });

  it("reads another tenant's evidence as absent", async () => {
    const id = await insertEvidence(acme.tenantId, acme.owner.userId);
    const answer = await postGraphql(graphql(), { query: EVIDENCE_QUERY, variables: { id } }, bearer(await tokenFor(globex)));
    expect(answer.body).toEqual({ data: { evidence: null } });
  });

  it('refuses evidence to a PARTNER with FORBIDDEN', async () => {
    const id = await insertEvidence(acme.tenantId, acme.owner.userId);
    const answer = await postGraphql(graphql(), { query: EVIDENCE_QUERY, variables: { id } }, bearer(await tokenFor(acme, 'PARTNER')));
    expect(answer.body.data).toEqual({ evidence: null });
    expect(answer.body.errors).toEqual([
      expect.objectContaining({ path: ['evidence'], extensions: { code: 'FORBIDDEN' } }),
    ]);
  });

  it('answers an anonymous viewer query with UNAUTHENTICATED and nothing of the subgraphs', async () => {
    const answer = await postGraphql(graphql(), { query: '{ viewer { role } }' });
    expect(answer.body.errors).toHaveLength(1);
    expect(answer.body.errors![0].extensions).toEqual({ code: 'UNAUTHENTICATED' });
    expect(JSON.stringify(answer.body)).not.toMatch(/identity|127\.0\.0\.1|serviceName|http:/);
  });

  it('answers viewer for a valid token', async () => {
    const answer = await postGraphql(graphql(), { query: '{ viewer { role principalKind tenant { id name } } }' }, bearer(await tokenFor(acme, 'AUDITOR')));
    expect(answer.body).toEqual({
      data: { viewer: { role: 'AUDITOR', principalKind: 'USER', tenant: { id: acme.tenantId, name: 'Acme' } } },
    });
  });

  describe('refuses bad credentials before planning', () => {
    const claims = (tenant: TestTenant) => ({
      tid: tenant.tenantId,
      role: 'OWNER',
      kind: 'USER',
      sid: tenant.owner.membershipId,
      typ: 'access',
      scope: 'full',
    });

    it.each([
      ['alg none', async () =>
        new UnsecuredJWT(claims(acme)).setSubject(acme.owner.userId).setIssuer(TEST_AUDIENCE.issuer)
          .setAudience(TEST_AUDIENCE.audience).setIssuedAt().setExpirationTime('5m').encode()],
      ['expired', async () => mintToken(principal(acme.tenantId, 'OWNER'), -30)],
      ['signed by another key', async () => {
        const foreign = await importSigningKey(await generateSigningKey());
        return new SignJWT(claims(acme)).setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: foreign.kid })
          .setSubject(acme.owner.userId).setIssuer(TEST_AUDIENCE.issuer).setAudience(TEST_AUDIENCE.audience)
          .setIssuedAt().setExpirationTime('5m').sign(foreign.privateKey);
      }],
      ['for another audience', async () => {
        const { signingKey } = await testKeys();
        return new SignJWT(claims(acme)).setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: signingKey.kid })
          .setSubject(acme.owner.userId).setIssuer(TEST_AUDIENCE.issuer).setAudience('another-product')
          .setIssuedAt().setExpirationTime('5m').sign(signingKey.privateKey);
      }],
      ['malformed header', async () => 'not-a-jwt at all'],
    ])('%s', async (_label, makeToken) => {
      const answer = await postGraphql(graphql(), { query: '{ viewer { role } }' }, { authorization: `Bearer ${await makeToken()}` });
      expect(answer.status).toBe(401);
      expect(answer.body.errors).toEqual([expect.objectContaining({ extensions: { code: 'UNAUTHENTICATED' } })]);
      expect(answer.body.data).toBeUndefined();
    });
  });

  describe('limits', () => {
    it('refuses a query deeper than the limit, introspection included', async () => {
      const nested = `{ __schema { types { fields { type ${'{ ofType '.repeat(12)}{ name }${' }'.repeat(12)} } } } }`;
      const answer = await postGraphql(graphql(), { query: nested });
      expect(answer.status).toBe(400);
      expect(answer.body.errors![0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(answer.body.data).toBeUndefined();
    });

    it('refuses alias batching over the limit', async () => {
      const aliases = Array.from({ length: 20 }, (_, i) => `a${i}: viewer { role }`).join(' ');
      const answer = await postGraphql(graphql(), { query: `{ ${aliases} }` }, bearer(await tokenFor(acme)));
      expect(answer.status).toBe(400);
      expect(answer.body.errors![0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    });

    it('refuses a document over the token limit', async () => {
      const fields = Array.from({ length: 5000 }, () => '__typename').join(' ');
      const answer = await postGraphql(graphql(), { query: `{ ${fields} }` });
      expect(answer.status).toBe(400);
      expect(answer.body.errors![0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    });

    it('answers a malformed JSON body with a coded 400', async () => {
      const answer = await postGraphql(graphql(), '{"query": "{ viewer');
      expect(answer.status).toBe(400);
      expect(answer.body.errors![0].extensions.code).toBe('BAD_REQUEST');
    });

    it('refuses a body over the size limit with 413', async () => {
      const answer = await postGraphql(graphql(), { query: `{ __typename } # ${'x'.repeat(1_100_000)}` });
      expect(answer.status).toBe(413);
    });

    it('applies CSRF prevention to simple requests', async () => {
      const answer = await fetch(`${graphql()}?query=${encodeURIComponent('{ __typename }')}`);
      expect(answer.status).toBe(400);
    });
  });

  describe('forwarding', () => {
    it("sends a subgraph exactly the edge's headers: token, router secret, its own request id and client address, the user agent", async () => {
      const seen: IncomingHttpHeaders[] = [];
      // A subprocessors subgraph that records what it is sent and answers an empty register.
      const recording = createServer((req, res) => {
        seen.push(req.headers);
        req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { subprocessors: [] } })));
      });
      await new Promise<void>((resolve) => recording.listen(0, '127.0.0.1', resolve));
      const recorded = await anotherGateway({ SUBPROCESSORS_URL: `http://127.0.0.1:${(recording.address() as AddressInfo).port}` });
      try {
        const token = await tokenFor(acme);
        const answer = await postGraphql(`${recorded.url}/graphql`, { query: '{ subprocessors { id } }' }, {
          ...bearer(token),
          'user-agent': 'e2e-client/1.0',
          'x-forwarded-for': '6.6.6.6',
          'x-request-id': 'chosen-by-the-client',
          cookie: 'session=stolen',
          'x-router-secret': 'guess',
        });
        expect(answer.body).toEqual({ data: { subprocessors: [] } });
        expect(seen).toHaveLength(1);
        expect(seen[0]).toMatchObject({
          authorization: `Bearer ${token}`,
          'x-router-secret': ROUTER_SECRET,
          'x-forwarded-for': '127.0.0.1',
          'user-agent': 'e2e-client/1.0',
          'x-request-id': expect.stringMatching(/^[0-9a-f-]{36}$/),
        });
        expect(seen[0].cookie).toBeUndefined();
      } finally {
        await recorded.stop();
        await new Promise((resolve) => recording.close(resolve));
      }
    });

    it('a subgraph refuses a client that skips the gateway, even with a guessed secret', async () => {
      const token = await tokenFor(acme);
      for (const headers of [bearer(token), { ...bearer(token), 'x-router-secret': 'guess' }]) {
        const direct = await postGraphql(`${stack.subgraphUrls.identity}/graphql`, { query: '{ viewer { role } }' }, headers);
        expect(direct.status).toBe(403);
        expect(direct.body.data).toBeUndefined();
      }
    });

    // The Hive deployable serves /graphql only (README, "Swapping the gateway").
    (gatewayKind === 'apollo' ? it : it.skip)('proxies the JWKS route on the same origin', async () => {
      const answer = await fetch(`${stack.gatewayUrl}/.well-known/jwks.json`);
      expect(answer.status).toBe(200);
      const body = (await answer.json()) as { keys: Array<Record<string, string>> };
      expect(body.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA' });
      expect(body.keys[0].d).toBeUndefined();
    });

    it('reports readiness only when every subgraph is ready', async () => {
      const answer = await fetch(`${stack.gatewayUrl}/readyz`);
      expect(answer.status).toBe(200);
    });
  });

  describe('in production', () => {
    let production: RunningGatewayOfKind;

    beforeAll(async () => {
      production = await anotherGateway({ NODE_ENV: 'production' });
    });
    afterAll(() => production.stop());

    it('refuses introspection', async () => {
      const answer = await postGraphql(`${production.url}/graphql`, { query: '{ __schema { queryType { name } } }' });
      expect(answer.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(answer.body.data).toBeUndefined();
    });

    it('serves no landing page', async () => {
      const answer = await fetch(`${production.url}/graphql`, { headers: { accept: 'text/html' } });
      expect(answer.headers.get('content-type') ?? '').not.toContain('text/html');
    });

    it('still answers real operations', async () => {
      const answer = await postGraphql(`${production.url}/graphql`, { query: '{ viewer { role } }' }, bearer(await tokenFor(acme, 'MEMBER')));
      expect(answer.body).toEqual({ data: { viewer: { role: 'MEMBER' } } });
    });
  });

  describe('with a subgraph down', () => {
    let degraded: RunningGatewayOfKind;

    beforeAll(async () => {
      degraded = await anotherGateway({ SUBPROCESSORS_URL: 'http://127.0.0.1:9' });
    });
    afterAll(() => degraded.stop());

    it('answers a generic INTERNAL_SERVER_ERROR without the subgraph name or URL, and logs the cause', async () => {
      const logged: string[] = [];
      const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => logged.push(String(chunk)) > 0);
      const answer = await postGraphql(`${degraded.url}/graphql`, { query: '{ subprocessors { id } }' }, bearer(await tokenFor(acme))).finally(
        () => stderr.mockRestore(),
      );
      const entries = logged.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line));
      const unexpected = entries.filter((entry) => entry.service === 'gateway' && entry.msg === 'unexpected error');
      expect(unexpected).toHaveLength(1);
      expect(JSON.stringify(unexpected[0].error)).toContain('ECONNREFUSED');
      expect(answer.body.errors).toEqual([
        expect.objectContaining({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }),
      ]);
      expect(JSON.stringify(answer.body)).not.toMatch(/subprocessors|127\.0\.0\.1|ECONNREFUSED|:9/);
    });

    it('is not ready, and says which subgraph is missing', async () => {
      const answer = await fetch(`${degraded.url}/readyz`);
      expect(answer.status).toBe(503);
      expect(await answer.json()).toEqual({ status: 'unavailable', unready: ['subprocessors'] });
    });
  });
});
