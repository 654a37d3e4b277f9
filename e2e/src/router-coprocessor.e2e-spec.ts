import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { subgraphUrlEnv } from '@compliance-graph/config';
import { loadCoprocessorConfig, startCoprocessor, type RunningCoprocessor } from '@compliance-graph/gateway';
import { admin, authenticatorCode, closeAdmin, mintToken, principal } from '@compliance-graph/testing';
import { AUTH, signUp, type AuthPayload } from './accounts';
import { operatorCli } from './fixtures';
import { graphqlClient } from './graphql-client';
import { ROUTER_SECRET, SUPERGRAPH, startStack, type Stack } from './stack';

/**
 * Requests recorded in the shape Apollo Router sends its external coprocessor (protocol version 1:
 * the Router's coprocessor reference, and apollo-router's src/plugins/coprocessor, which always
 * adds `method` at RouterRequest), for the stages and fields the README's router.yaml configures:
 * header values are lists, `control` is "continue". `{{name}}` is filled in per run.
 */
const FIXTURES = resolve(__dirname, '../../packages/edge/test/router-coprocessor');
const recorded = (name: string) => readFileSync(resolve(FIXTURES, `${name}.json`), 'utf8');
const filled = (fixture: string, values: Record<string, string>) =>
  JSON.parse(fixture.replace(/\{\{(\w+)\}\}/g, (_, key: string) => JSON.stringify(values[key]).slice(1, -1)));

const COPROCESSOR_SECRET = 'e2e-coprocessor-secret-0123456789abcdef';
type Headers = Record<string, string[]>;
interface Answer {
  status: number;
  body: any;
}

describe('the edge as an Apollo Router coprocessor', () => {
  let stack: Stack;
  let coprocessor: RunningCoprocessor;
  let gql: ReturnType<typeof graphqlClient>;
  let owner: AuthPayload;

  beforeAll(async () => {
    stack = await startStack();
    gql = graphqlClient(stack.gatewayUrl);
    coprocessor = await startCoprocessor(
      loadCoprocessorConfig({
        NODE_ENV: 'test',
        LOG_LEVEL: 'error',
        PORT: '0',
        ROUTER_SECRET,
        COPROCESSOR_SECRET,
        SUPERGRAPH_PATH: SUPERGRAPH,
        // Revocation is seen at once, not within the usual cache window.
        SESSION_CHECK_TTL_MS: '0',
        ...subgraphUrlEnv(stack.subgraphUrls),
      }),
    );
    owner = await signUp(gql);
  });
  afterAll(async () => {
    await coprocessor?.stop();
    await stack?.stop();
    await closeAdmin();
  });

  const post = async (body: string, secret = COPROCESSOR_SECRET): Promise<Answer> => {
    const response = await fetch(`${coprocessor.url}/${secret}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    return { status: response.status, body: await response.json() };
  };
  const routerRequest = (credential: string) => post(JSON.stringify(filled(recorded('router-request'), { credential })));
  /** The SupergraphRequest of the same client request: the Router sends the headers the RouterRequest answer set. */
  const supergraphRequest = (headers: Headers, query: string) =>
    post(JSON.stringify({ ...filled(recorded('supergraph-request'), { credential: '', routerSecret: '', query }), headers }));
  /** Both stages of one client request, as the Router calls them. */
  const operation = async (credential: string, query: string) => {
    const atRouter = await routerRequest(credential);
    expect(atRouter.body.control).toBe('continue');
    return supergraphRequest(atRouter.body.headers, query);
  };
  const expectBreak = (answer: Answer, status: number, code: string) => {
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ version: 1, id: '1b19c05fdafc521016df33148ad63c1b', control: { break: status } });
    const body = answer.body.stage === 'RouterRequest' ? JSON.parse(answer.body.body) : answer.body.body;
    expect(body).toEqual({ errors: [{ message: expect.any(String), extensions: { code } }] });
  };

  it('continues a valid token with exactly the headers the subgraphs must get, none of the client-sent copies', async () => {
    const answer = await routerRequest(owner.accessToken);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      version: 1,
      stage: 'RouterRequest',
      id: '1b19c05fdafc521016df33148ad63c1b',
      control: 'continue',
      headers: {
        host: ['graph.example.test'],
        accept: ['application/json'],
        'content-type': ['application/json'],
        'content-length': ['41'],
        'user-agent': ['compliance-client/1.4'],
        authorization: [`Bearer ${owner.accessToken}`],
        'x-router-secret': [ROUTER_SECRET],
        'x-request-id': [expect.stringMatching(/^[0-9a-f-]{36}$/)],
        // The right-most entry: the address the Router's proxy saw, not what the client prepended.
        'x-forwarded-for': ['198.51.100.7'],
      },
    });
    expect(answer.body.headers['x-request-id'][0]).not.toBe('chosen-by-the-client');
  });

  it.each([
    ['a forged token', async () => `${owner.accessToken.slice(0, -4)}AAAA`],
    ['an expired token', async () => mintToken(principal(owner.tenant.id, 'OWNER'), -30)],
    ['a token whose session was revoked', async () => {
      const session = await signUp(gql, 'Revoked');
      expect((await gql('mutation ($t: String!) { logout(refreshToken: $t) }', { t: session.refreshToken })).data.logout).toBe(true);
      return session.accessToken;
    }],
    ['a bad API key', async () => 'cgk_nonsense'],
  ])('breaks %s with 401 UNAUTHENTICATED, as our gateway answers', async (_label, credential) => {
    const answer = await routerRequest(await credential());
    expectBreak(answer, 401, 'UNAUTHENTICATED');
    expect(answer.body.headers).toBeUndefined();
  });

  it('continues an API key with the access token it was exchanged for', async () => {
    const created = await gql('mutation ($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }', {
      i: { name: 'Router feed', role: 'PARTNER', expiresAt: new Date(Date.now() + 86400_000).toISOString() },
    }, owner.accessToken);
    const key = created.data.createApiKey.secret as string;
    const answer = await routerRequest(key);
    expect(answer.body.control).toBe('continue');
    const [authorization] = answer.body.headers.authorization as string[];
    expect(authorization).toMatch(/^Bearer ey/);
    expect(authorization).not.toContain(key);
    expect(await supergraphRequest(answer.body.headers, '{ viewer { role } }')).toEqual({
      status: 200,
      body: { version: 1, stage: 'SupergraphRequest', id: '1b19c05fdafc521016df33148ad63c1b', control: 'continue' },
    });
  });

  it('breaks a login beside another root field with 400 BAD_USER_INPUT', async () => {
    const login = `login(input: { tenantSlug: "${owner.tenant.slug}", email: "${owner.user.email}", password: "x" }) { accessToken }`;
    expectBreak(await operation(owner.accessToken, `mutation { ${login} inviteMember(email: "a@example.test", role: ADMIN) { token } }`), 400, 'BAD_USER_INPUT');
  });

  it('breaks an operation over the cost limit, computed on the supergraph, with 400', async () => {
    const answer = await operation(owner.accessToken, '{ members(first: 200) { nodes { auditTrail(first: 200) { nodes { id action } } } } }');
    expectBreak(answer, 400, 'GRAPHQL_VALIDATION_FAILED');
    expect(answer.body.body.errors[0].message).toMatch(/^Operation cost limit of 100000 exceeded, found \d+\.$/);
  });

  it("records a support session's operation in the visited tenant's log before it runs", async () => {
    const home = await signUp(gql, 'Platform');
    const { secret } = (await gql('mutation { startTotpEnrollment { secret } }', {}, home.accessToken)).data.startTotpEnrollment;
    await gql('mutation ($c: String!) { confirmTotpEnrollment(code: $c) { recoveryCodes } }', { c: authenticatorCode(secret) }, home.accessToken);
    expect(operatorCli('grant', home.user.email)).toContain('granted');
    const operator = (await gql(`mutation ($t: String!) { refreshSession(refreshToken: $t) { ${AUTH} } }`, { t: home.refreshToken })).data.refreshSession;
    const customer = await signUp(gql, 'Customer');
    await gql('mutation { updateTenantSettings(input: { supportAccessAllowed: true }) { id } }', {}, customer.accessToken);
    const support = (
      await gql('mutation ($s: String!) { openSupportSession(tenantSlug: $s, reason: "ticket 15: router", minutes: 10) { accessToken } }', { s: customer.tenant.slug }, operator.accessToken)
    ).data.openSupportSession;

    const query = 'query Members { members { totalCount } }';
    expect((await operation(support.accessToken, query)).body.control).toBe('continue');
    const { rows } = await admin().query(`SELECT payload FROM identity.outbox WHERE tenant_id = $1 AND payload->>'action' = 'support.request'`, [customer.tenant.id]);
    expect(rows.map((row) => row.payload.data)).toEqual([{ operation: 'graphql Members', documentHash: createHash('sha256').update(query).digest('hex') }]);
  });

  it("fails closed on malformed JSON, an unknown stage or version, a request without the proxy's address, and a SupergraphRequest whose RouterRequest stage did not run", async () => {
    const router = JSON.parse(recorded('router-request'));
    for (const body of ['{"version": 1, "stage": ', JSON.stringify({ ...router, stage: 'ExecutionRequest' }), JSON.stringify({ ...router, version: 2 }), '[]']) {
      const answer = await post(body);
      expect(answer.status).toBe(400);
      expect(answer.body.control).toBeUndefined();
    }
    // Without the address its proxy saw, the Router is not deployed as the README describes.
    const { 'x-forwarded-for': _address, ...unproxied } = filled(recorded('router-request'), { credential: owner.accessToken }).headers;
    const withoutAddress = await post(JSON.stringify({ ...router, headers: unproxied }));
    expect(withoutAddress.status).toBe(500);
    expect(withoutAddress.body.control).toBeUndefined();
    const skipped = await post(JSON.stringify(filled(recorded('supergraph-request'), { credential: owner.accessToken, routerSecret: 'forged', query: '{ viewer { role } }' })));
    expect(skipped.status).toBe(500);
    expect(skipped.body.control).toBeUndefined();
  });

  it('refuses a caller without the coprocessor secret', async () => {
    const body = JSON.stringify(filled(recorded('router-request'), { credential: owner.accessToken }));
    for (const secret of ['', 'wrong-secret-0123456789abcdefghijklmnop']) {
      const answer = await post(body, secret);
      expect(answer.status).toBe(401);
      expect(answer.body.control).toBeUndefined();
    }
  });
});
