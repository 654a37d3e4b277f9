import { bearer, closeAdmin, createTenant, postGraphql, signIn, type HttpResult, type TestTenant } from '@compliance-graph/testing';
import { startCountingProxy, type CountingProxy } from './counting-proxy';
import { parseExposition, sampleValue } from './prometheus';
import { startAnotherGateway, startStack, type GatewayKind, type RunningGatewayOfKind, type Stack } from './stack';

const VIEWER = '{ viewer { role tenant { id name } } }';
const MEMBERS = 'query Members($first: Int) { members(first: $first) { totalCount } }';
const REGISTER = '{ subprocessors { id } }';
const MASKED = { data: null, errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] };

interface Caller {
  token: string;
  clientIp?: string;
  userAgent?: string;
}

/** One client request: the operation and who sends it. */
interface Call {
  body: { query: string; variables?: Record<string, unknown> };
  caller: Caller;
}

/** A gateway whose identity and subprocessors subgraphs are behind counting proxies. */
interface Counted {
  gateway: RunningGatewayOfKind;
  identity: CountingProxy;
  subprocessors: CountingProxy;
}

/** A tenant of the test's, with the name its answers carry. */
type Tenant = TestTenant & { name: string };
const tenantNamed = async (name: string): Promise<Tenant> => ({ name, ...(await createTenant(name)) });

const headersOf = ({ token, clientIp = '198.51.100.1', userAgent = 'merging-e2e/1.0' }: Caller) => ({
  ...bearer(token),
  'x-forwarded-for': clientIp,
  'user-agent': userAgent,
});

async function mergedFetches(gateway: RunningGatewayOfKind): Promise<number> {
  const text = await (await fetch(`${gateway.metricsUrl}/metrics`)).text();
  return sampleValue(parseExposition(text), 'subgraph_fetches_merged_total');
}

async function waitUntil(condition: () => Promise<boolean>, what: string): Promise<void> {
  for (const waitingSince = Date.now(); !(await condition()); await new Promise((resolve) => setTimeout(resolve, 20))) {
    if (Date.now() - waitingSince > 10_000) throw new Error(`waited 10 s for ${what}`);
  }
}

/**
 * Sends `calls` at once while `proxy` holds the GraphQL requests reaching its subgraph. Once
 * each call has either reached the subgraph or joined a fetch in flight, `whileHeld` runs (by
 * default it lets them through). Returns the answers, how many requests the subgraph was sent
 * and how many fetches the gateway merged.
 */
async function burst(
  { gateway, proxy }: { gateway: RunningGatewayOfKind; proxy: CountingProxy },
  calls: Call[],
  whileHeld: (answers: Promise<HttpResult[]>) => Promise<unknown> = async () => proxy.release(),
) {
  const sentBefore = proxy.graphqlBodies.length;
  const mergedBefore = await mergedFetches(gateway);
  proxy.hold();
  try {
    const answers = Promise.all(calls.map(({ body, caller }) => postGraphql(`${gateway.url}/graphql`, body, headersOf(caller))));
    const arrived = async () => proxy.graphqlBodies.length - sentBefore + (await mergedFetches(gateway)) - mergedBefore;
    await waitUntil(async () => (await arrived()) >= calls.length, `all ${calls.length} calls to reach the subgraph or join a fetch`);
    await whileHeld(answers);
    return { answers: await answers, sent: proxy.graphqlBodies.length - sentBefore, merged: (await mergedFetches(gateway)) - mergedBefore };
  } finally {
    proxy.release();
  }
}

/** A gateway of `kind` on the stack's subgraphs, identity and subprocessors behind counting proxies. */
async function startCountedGateway(stack: Stack, overrides: Record<string, string> = {}, kind: GatewayKind = 'apollo'): Promise<Counted> {
  const identity = await startCountingProxy(stack.subgraphUrls.identity);
  const subprocessors = await startCountingProxy(stack.subgraphUrls.subprocessors);
  const gateway = await startAnotherGateway(
    stack,
    {
      IDENTITY_URL: identity.url,
      SUBPROCESSORS_URL: subprocessors.url,
      // The test's client addresses are believed from X-Forwarded-For, as behind a load balancer.
      TRUSTED_PROXIES: '127.0.0.1',
      METRICS_PORT: '0',
      ...overrides,
    },
    kind,
  );
  return { gateway, identity, subprocessors };
}

const times = (count: number, call: Call): Call[] => Array.from({ length: count }, () => call);

describe("the gateway's subgraph client: merging identical queries in flight (apollo gateway)", () => {
  let stack: Stack;
  let counted: Counted;
  let acme: Tenant;
  let acmeOwner: string;

  const startCounted = (overrides: Record<string, string> = {}) => startCountedGateway(stack, overrides);
  const stopCounted = async ({ gateway, identity, subprocessors }: Counted) => {
    await gateway.stop();
    await Promise.all([identity.close(), subprocessors.close()]);
  };
  const ownerOf = async (tenant: TestTenant) => (await signIn(tenant.tenantId, tenant.owner)).token;
  const viewerOf = (tenant: Tenant) => ({ data: { viewer: { role: 'OWNER', tenant: { id: tenant.tenantId, name: tenant.name } } } });
  const atIdentity = () => ({ gateway: counted.gateway, proxy: counted.identity });

  beforeAll(async () => {
    stack = await startStack();
    counted = await startCounted();
    acme = await tenantNamed('Acme');
    acmeOwner = await ownerOf(acme);
  });
  afterAll(async () => {
    await stopCounted(counted);
    await stack.stop();
    await closeAdmin();
  });

  it('sends many identical queries of one caller as one fetch, each caller getting the answer, and keeps nothing once it settles', async () => {
    const { answers, sent, merged } = await burst(atIdentity(), times(20, { body: { query: VIEWER }, caller: { token: acmeOwner } }));
    expect(sent).toBe(1);
    expect(merged).toBe(19);
    for (const answer of answers) expect(answer.body).toEqual(viewerOf(acme));

    const again = await burst(atIdentity(), [{ body: { query: VIEWER }, caller: { token: acmeOwner } }]);
    expect(again).toMatchObject({ sent: 1, merged: 0 });
    expect(again.answers[0].body).toEqual(viewerOf(acme));
  });

  it("does not merge the same query of different tokens: each caller gets its own tenant's answer", async () => {
    const tenants = await Promise.all(['Globex', 'Initech', 'Umbrella', 'Hooli'].map(tenantNamed));
    const tokens = await Promise.all(tenants.map(ownerOf));
    const { answers, sent, merged } = await burst(atIdentity(), tokens.map((token) => ({ body: { query: VIEWER }, caller: { token } })));
    expect({ sent, merged }).toEqual({ sent: 4, merged: 0 });
    expect(answers.map((answer) => answer.body)).toEqual(tenants.map(viewerOf));
  });

  it.each([
    ['client addresses', (i: number): Caller => ({ token: acmeOwner, clientIp: `198.51.100.${10 + i}` })],
    ['user agents', (i: number): Caller => ({ token: acmeOwner, userAgent: `merging-e2e/${i}` })],
  ])('does not merge one token from different %s', async (_label, callerNo) => {
    const { answers, sent, merged } = await burst(atIdentity(), [0, 1, 2, 3].map((i) => ({ body: { query: VIEWER }, caller: callerNo(i) })));
    expect({ sent, merged }).toEqual({ sent: 4, merged: 0 });
    for (const answer of answers) expect(answer.body).toEqual(viewerOf(acme));
  });

  it('does not merge one query with different variables', async () => {
    const calls = [1, 2, 3, 4].map((first) => ({ body: { query: MEMBERS, variables: { first } }, caller: { token: acmeOwner } }));
    const { answers, sent, merged } = await burst(atIdentity(), calls);
    expect({ sent, merged }).toEqual({ sent: 4, merged: 0 });
    for (const answer of answers) expect(answer.body).toEqual({ data: { members: { totalCount: 1 } } });
  });

  it('never merges mutations, even identical ones of one caller', async () => {
    const mutation = 'mutation { updateTenantSettings(input: { subprocessorNoticeDays: 45 }) { subprocessorNoticeDays } }';
    const { answers, sent, merged } = await burst(atIdentity(), times(5, { body: { query: mutation }, caller: { token: acmeOwner } }));
    expect({ sent, merged }).toEqual({ sent: 5, merged: 0 });
    for (const answer of answers) expect(answer.body).toEqual({ data: { updateTenantSettings: { subprocessorNoticeDays: 45 } } });
  });

  it('fails every caller of a shared fetch with the masked error when its subgraph stops, and asks again afterwards', async () => {
    const register = { body: { query: REGISTER }, caller: { token: acmeOwner } };
    const atSubprocessors = { gateway: counted.gateway, proxy: counted.subprocessors };
    try {
      const { answers, sent, merged } = await burst(atSubprocessors, times(10, register), async () => {
        await stack.stopSubprocessors();
        counted.subprocessors.release();
      });
      expect({ sent, merged }).toEqual({ sent: 1, merged: 9 });
      for (const answer of answers) expect(answer.body).toEqual(MASKED);
    } finally {
      await stack.startSubprocessors();
    }
    const after = await burst(atSubprocessors, [register]);
    expect(after).toMatchObject({ sent: 1, merged: 0 });
    expect(after.answers[0].body).toEqual({ data: { subprocessors: [] } });
  });

  it('stops within its drain period while a subgraph hangs on a fetch', async () => {
    const hung = await startCounted();
    hung.identity.hold();
    try {
      const answer = postGraphql(`${hung.gateway.url}/graphql`, { query: VIEWER }, headersOf({ token: acmeOwner })).catch((error: Error) => error);
      await waitUntil(async () => hung.identity.graphqlBodies.length === 1, 'the fetch to reach identity');
      const stopping = Date.now();
      await hung.gateway.stop();
      // Apollo's drain gives requests 10 s, then closes their connections; the fetch must not outlive them.
      expect(Date.now() - stopping).toBeLessThan(15_000);
      expect(await answer).toBeInstanceOf(Error);
    } finally {
      await Promise.all([hung.identity.close(), hung.subprocessors.close()]);
    }
  }, 30_000);

  describe('with a short subgraph deadline', () => {
    let slow: Counted;

    beforeAll(async () => {
      slow = await startCounted({ SUBGRAPH_TIMEOUT_MS: '1500' });
    });
    afterAll(() => stopCounted(slow));

    it('fails every caller of a fetch that times out as a lone caller fails', async () => {
      const viewer = { body: { query: VIEWER }, caller: { token: acmeOwner } };
      const neverAnswered = (answers: Promise<unknown>) => answers;
      const target = { gateway: slow.gateway, proxy: slow.identity };
      const alone = await burst(target, [viewer], neverAnswered);
      expect(alone.answers[0].body).toEqual(MASKED);

      const { answers, sent, merged } = await burst(target, times(10, viewer), neverAnswered);
      expect({ sent, merged }).toEqual({ sent: 1, merged: 9 });
      for (const answer of answers) expect(answer.body).toEqual(alone.answers[0].body);
    });
  });
});

/**
 * Hive Gateway merges identical subgraph requests in flight too, by the headers its executor is
 * handed: the edge plugin once added the token after that key was made, and one tenant's query
 * was answered with another tenant's data. It has no merge counter, so this holds the subgraph
 * until every distinct caller's fetch has reached it.
 */
describe('Hive Gateway with the edge plugin: merging stays within one caller', () => {
  let stack: Stack;
  let counted: Counted;

  beforeAll(async () => {
    stack = await startStack();
    counted = await startCountedGateway(stack, {}, 'hive');
  });
  afterAll(async () => {
    await counted.gateway.stop();
    await Promise.all([counted.identity.close(), counted.subprocessors.close()]);
    await stack.stop();
    await closeAdmin();
  });

  it("answers each of many concurrent callers of four tenants with its own tenant's data, however they are merged", async () => {
    const tenants = await Promise.all(['Wayne', 'Stark', 'Tyrell', 'Cyberdyne'].map(tenantNamed));
    const tokens = await Promise.all(tenants.map(async (tenant) => (await signIn(tenant.tenantId, tenant.owner)).token));
    const proxy = counted.identity;
    const sentBefore = proxy.graphqlBodies.length;
    proxy.hold();
    try {
      const answers = Promise.all(
        Array.from({ length: 20 }, (_, i) => postGraphql(`${counted.gateway.url}/graphql`, { query: VIEWER }, headersOf({ token: tokens[i % 4] }))),
      );
      await waitUntil(async () => proxy.graphqlBodies.length - sentBefore >= tenants.length, "each tenant's fetch to reach identity");
      proxy.release();
      const bodies = (await answers).map((answer) => answer.body);
      expect(bodies).toEqual(Array.from({ length: 20 }, (_, i) => ({ data: { viewer: { role: 'OWNER', tenant: { id: tenants[i % 4].tenantId, name: tenants[i % 4].name } } } })));
    } finally {
      proxy.release();
    }
  });
});
