import { connect } from 'node:net';
import { admin, closeAdmin, createTenant, signIn, type TestTenant } from '@compliance-graph/testing';
import { recordFigures } from './isolation/figures';
import { GATEWAY_KINDS, startAnotherGateway, startStack, type RunningGatewayOfKind, type Stack } from './stack';

/**
 * Hostile requests at a gateway in production mode, as a deployment runs it. Each one carries
 * a mutation that would be visible if it ran (the tenant's notice period set to 77 days); each
 * must be refused with a coded error that leaks nothing, and afterwards the tenant is as it was.
 */
const CHANGE = 'updateTenantSettings(input: { subprocessorNoticeDays: 77 }) { id }';
const REQUEST_TIMEOUT_MS = 1500;

export interface HostileRequest {
  name: string;
  method?: 'GET' | 'POST';
  /** Path and query string; default `/graphql`. */
  path?: string;
  contentType?: string;
  body?: string | Uint8Array<ArrayBuffer>;
  headers?: Record<string, string>;
  status: number;
  /** The first error's code, for answers that have a GraphQL body. */
  code?: string;
  /** Some error's message says why (so the refusal is for this reason, not another). */
  message?: RegExp;
}

const json = (value: unknown) => JSON.stringify(value);

/** A chain of `count` fragments on __Type, each selecting `ofType` of the last: as deep as it is long. */
const fragmentChain = (count: number) =>
  Array.from({ length: count }, (_, i) => `fragment T${i} on __Type { ${i + 1 < count ? `ofType { ...T${i + 1} }` : 'name'} }`).join(' ');

/** Introspection is refused in production whatever its depth; these show the depth limit holds there too. */
export const HOSTILE_REQUESTS: HostileRequest[] = [
  { name: 'depth hidden in fragments', body: json({ query: `{ __schema { types { ...T0 } } } ${fragmentChain(14)}` }), status: 400, code: 'GRAPHQL_VALIDATION_FAILED', message: /depth/i },
  {
    name: 'depth through introspection',
    body: json({ query: '{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } } }' }),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
    message: /depth/i,
  },
  {
    name: 'aliases over MAX_ALIASES, __typename included',
    body: json({ query: `mutation { ${CHANGE} ${Array.from({ length: 16 }, (_, i) => `t${i}: __typename`).join(' ')} }` }),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
    message: /alias/i,
  },
  {
    name: 'directives over MAX_DIRECTIVES',
    body: json({ query: `mutation { ${CHANGE.replace(' { id }', ` { id ${'@include(if: true) '.repeat(11)}}`)} }` }),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
    message: /directive/i,
  },
  { name: 'tokens over MAX_TOKENS', body: json({ query: `mutation { ${CHANGE} ${'__typename '.repeat(4100)} }` }), status: 400, code: 'GRAPHQL_PARSE_FAILED', message: /token/i },
  {
    name: 'a fragment cycle',
    body: json({ query: `mutation { ${CHANGE} ...A } fragment A on Mutation { ...B } fragment B on Mutation { ...A }` }),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
    message: /Cannot spread fragment "A" within itself/,
  },
  { name: 'a batch of operations', body: json([{ query: `mutation { ${CHANGE} }` }, { query: `mutation { ${CHANGE} }` }]), status: 400, code: 'BAD_REQUEST', message: /batch/i },
  { name: 'a body over MAX_BODY_BYTES', body: json({ query: `mutation { ${CHANGE} }`, variables: { pad: 'x'.repeat(1_100_000) } }), status: 413, code: 'PAYLOAD_TOO_LARGE' },
  {
    name: 'deeply nested variables',
    body: `{"query":"mutation ($input: TenantSettingsInput!) { updateTenantSettings(input: $input) { id } }","variables":{"input":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}}`,
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  { name: 'a misspelt field, probing for suggestions', body: json({ query: `mutation { ${CHANGE} viewr }` }), status: 400, code: 'GRAPHQL_VALIDATION_FAILED', message: /Cannot query field "viewr"/ },
  {
    name: 'a mutation sent with GET',
    method: 'GET',
    path: `/graphql?query=${encodeURIComponent(`mutation { ${CHANGE} }`)}`,
    headers: { 'apollo-require-preflight': 'true' },
    status: 405,
    code: 'BAD_REQUEST',
  },
  { name: 'a CSRF-shaped text/plain post', contentType: 'text/plain', body: json({ query: `mutation { ${CHANGE} }` }), status: 400, code: 'BAD_REQUEST' },
  {
    name: 'a CSRF-shaped form post',
    contentType: 'application/x-www-form-urlencoded',
    body: `query=${encodeURIComponent(`mutation { ${CHANGE} }`)}`,
    status: 400,
    code: 'BAD_REQUEST',
  },
  { name: 'JSON that does not parse', body: `{"query": "mutation { ${CHANGE} }"`, status: 400, code: 'BAD_REQUEST' },
  {
    name: 'invalid UTF-8 in a variable',
    body: new Uint8Array(Buffer.concat([
      Buffer.from('{"query":"mutation ($email: String!) { inviteMember(email: $email, role: MEMBER) { token } }","variables":{"email":"a'),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from('@example.test"}}'),
    ])),
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    name: 'a NUL byte in a mutation argument',
    body: json({ query: 'mutation ($email: String!) { inviteMember(email: $email, role: MEMBER) { token } }', variables: { email: 'a\u0000b@example.test' } }),
    status: 200,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'an Int out of range',
    body: json({ query: 'mutation { updateTenantSettings(input: { subprocessorNoticeDays: 99999999999 }) { id } }' }),
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
    message: /Int cannot represent/,
  },
  { name: 'a negative page size', body: json({ query: '{ members(first: -1) { totalCount } }' }), status: 200, code: 'BAD_USER_INPUT' },
  { name: 'a page size over the largest page', body: json({ query: '{ members(first: 1000000) { totalCount } }' }), status: 200, code: 'BAD_USER_INPUT' },
  { name: 'an unknown cursor', body: json({ query: '{ members(after: "not-a-cursor") { totalCount } }' }), status: 200, code: 'BAD_USER_INPUT' },
  { name: 'a NUL byte in an id', body: json({ query: 'query ($id: ID!) { user(id: $id) { id } }', variables: { id: 'a\u0000b' } }), status: 200, code: 'BAD_USER_INPUT' },
  { name: 'a header over the size limit', headers: { 'x-padding': 'x'.repeat(20_000) }, body: json({ query: `mutation { ${CHANGE} }` }), status: 431 },
];

describe.each(GATEWAY_KINDS)('hostile input at the gateway, in production (%s gateway)', (gatewayKind) => {
  let stack: Stack;
  let gateway: RunningGatewayOfKind;
  let tenant: TestTenant;
  let token: string;
  const figures = { hostileSent: 0, hostileRefused: 0 };

  beforeAll(async () => {
    stack = await startStack({}, {}, gatewayKind);
    gateway = await startAnotherGateway(stack, { NODE_ENV: 'production', REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) });
    tenant = await createTenant('Hostile input');
    token = (await signIn(tenant.tenantId, tenant.owner)).token;
  });
  afterAll(async () => {
    // The security report reads our gateway's figures; Hive's are kept beside them.
    recordFigures(gatewayKind === 'apollo' ? 'hostile-input' : `hostile-input-${gatewayKind}`, figures);
    await gateway?.stop();
    await stack?.stop();
    await closeAdmin();
  });

  /** What no answer may carry: stack frames, SQL, a subgraph's address or name in an error. */
  const leaks = (text: string) =>
    [
      /\n\s+at\s/.test(text) && 'a stack trace',
      /\b(select|insert into|syntax error at or near|relation ")/i.test(text) && 'SQL',
      Object.values(stack.subgraphUrls).some((url) => text.includes(new URL(url).host)) && 'a subgraph address',
      /ECONNREFUSED|subgraph/i.test(text) && 'a subgraph',
      /did you mean/i.test(text) && 'a field suggestion',
    ].filter(Boolean);

  it.each(HOSTILE_REQUESTS.map((request) => [request.name, request] as const))('refuses %s', async (_name, request) => {
    const answer = await fetch(`${gateway.url}${request.path ?? '/graphql'}`, {
      method: request.method ?? 'POST',
      headers: { 'content-type': request.contentType ?? 'application/json', authorization: `Bearer ${token}`, ...request.headers },
      body: request.method === 'GET' ? undefined : request.body,
    });
    const text = await answer.text();
    figures.hostileSent++;
    if (answer.status === request.status && leaks(text).length === 0) figures.hostileRefused++;
    expect({ status: answer.status, leaks: leaks(text) }).toEqual({ status: request.status, leaks: [] });
    if (!request.code) return;
    const errors: Array<{ message: string; extensions?: { code?: string } }> = JSON.parse(text).errors;
    expect(errors[0].extensions?.code).toBe(request.code);
    if (request.message) expect(errors.map((e) => e.message)).toContainEqual(expect.stringMatching(request.message));
  });

  it('cuts off a client that trickles its body, with 408, within the request timeout', async () => {
    const { port } = new URL(gateway.url);
    const started = Date.now();
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1');
      let received = '';
      let timer: NodeJS.Timeout | undefined;
      socket.on('connect', () => {
        socket.write(`POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\nAuthorization: Bearer ${token}\r\n\r\n{"query":"`);
        timer = setInterval(() => socket.write('a'), 200);
      });
      socket.on('data', (chunk) => (received += chunk));
      socket.on('close', () => {
        clearInterval(timer);
        resolve(received);
      });
      socket.on('error', reject);
    });
    figures.hostileSent++;
    if (/^HTTP\/1\.1 408/.test(answer)) figures.hostileRefused++;
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(Date.now() - started).toBeLessThan(REQUEST_TIMEOUT_MS + 5_000);
  });

  it('executed none of the mutations it was sent: the tenant is as it was', async () => {
    const { rows } = await admin().query('SELECT subprocessor_notice_days FROM identity.tenants WHERE id = $1', [tenant.tenantId]);
    expect(rows).toEqual([{ subprocessor_notice_days: 30 }]);
    const events = await admin().query(`SELECT count(*)::int AS n FROM identity.outbox WHERE tenant_id = $1`, [tenant.tenantId]);
    expect(events.rows).toEqual([{ n: 0 }]);
  });

  it('refuses introspection, so a client gets the schema from the repository instead', async () => {
    const answer = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: json({ query: '{ __schema { queryType { name } } }' }),
    });
    const body = (await answer.json()) as { errors: Array<{ extensions: { code: string } }>; data?: unknown };
    expect({ status: answer.status, code: body.errors[0].extensions.code, data: body.data }).toEqual({ status: 400, code: 'GRAPHQL_VALIDATION_FAILED', data: undefined });
  });
});
