import { postGraphql } from '@compliance-graph/testing';
import { AUTH, PASSWORD, joinTenant, signUp, type AuthPayload } from './accounts';
import { codeOf, graphqlClient } from './graphql-client';
import { startAnotherGateway, startStack, type RunningGatewayOfKind, type Stack } from './stack';

const FEDERATED = 'query Members { members(first: 10) { nodes { id role user { id email } auditTrail(first: 5) { totalCount nodes { action actor { id } } } } } }';

/**
 * The gateway bench's variant (b): our gateway executing the subgraphs in its own process. It
 * measures the gateway without HTTP only if the subgraphs still check and see everything they
 * do over HTTP: the same answers, the same refusals, the same client in the records.
 */
describe('our gateway with the subgraphs in process', () => {
  let stack: Stack;
  let overHttp: RunningGatewayOfKind;
  let inProcess: ReturnType<typeof graphqlClient>;
  let http: ReturnType<typeof graphqlClient>;
  let owner: AuthPayload;

  beforeAll(async () => {
    stack = await startStack({}, {}, 'apollo', { inProcessSubgraphs: true });
    overHttp = await startAnotherGateway(stack, {});
    inProcess = graphqlClient(stack.gatewayUrl);
    http = graphqlClient(overHttp.url);
    owner = await signUp(inProcess, 'inprocess');
  });
  afterAll(async () => {
    await overHttp?.stop();
    await stack?.stop();
  });

  it('answers a federated query exactly as the gateway over HTTP does', async () => {
    // Once the sign-up's audit event has arrived, so that both read the same log.
    let seen = await inProcess(FEDERATED, {}, owner.accessToken);
    for (const deadline = Date.now() + 15_000; seen.data?.members.nodes[0]?.auditTrail.totalCount === 0 && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      seen = await inProcess(FEDERATED, {}, owner.accessToken);
    }
    expect(seen.errors).toBeUndefined();
    expect(seen.data.members.nodes).toEqual([
      expect.objectContaining({ role: 'OWNER', user: { id: owner.user.id, email: owner.user.email }, auditTrail: expect.objectContaining({ totalCount: 1 }) }),
    ]);
    expect(await http(FEDERATED, {}, owner.accessToken)).toEqual(seen);
  });

  it("refuses what the caller's role does not allow, as the subgraph reads the role from the verified token", async () => {
    const member = await joinTenant(inProcess, owner.accessToken, 'MEMBER');
    const refused = await inProcess('mutation ($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }', { i: { name: 'k', role: 'AUDITOR', expiresAt: new Date(Date.now() + 86_400_000).toISOString() } }, member.accessToken);
    expect(codeOf(refused)).toBe('FORBIDDEN');
    expect(await inProcess('{ members { totalCount } }', {}, 'not-a-token')).toMatchObject({ errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
  });

  it('hands the subgraph the client the gateway saw: the login it records names the user agent', async () => {
    const userAgent = `in-process-check/${Date.now()}`;
    const login = `mutation ($i: LoginInput!) { login(input: $i) { ${AUTH} } }`;
    const input = { tenantSlug: owner.tenant.slug, email: owner.user.email, password: PASSWORD };
    const answer = await postGraphql(`${stack.gatewayUrl}/graphql`, { query: login, variables: { i: input } }, { 'user-agent': userAgent });
    expect(answer.body.errors).toBeUndefined();
    const recorded = async () => {
      const page = await inProcess('{ auditEvents(first: 50) { nodes { action userAgent } } }', {}, owner.accessToken);
      return page.data?.auditEvents.nodes.find((event: { action: string; userAgent: string }) => event.action === 'user.logged_in' && event.userAgent === userAgent);
    };
    for (const deadline = Date.now() + 15_000; !(await recorded()) && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await recorded()).toBeDefined();
  });
});
