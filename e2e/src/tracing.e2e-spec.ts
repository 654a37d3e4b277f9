import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { subgraphUrlEnv } from '@compliance-graph/config';
import { startTracing, type Tracing } from '@compliance-graph/runtime';
import { AUDIT_INGEST } from '@compliance-graph/internal-api';
import { admin, closeAdmin, freePort } from '@compliance-graph/testing';
import { signUp, signUpInput, AUTH, type AuthPayload } from './accounts';
import { graphqlClient } from './graphql-client';
import { startAnotherGateway, startStack, type Stack } from './stack';

/** An HTTP hop in front of a subgraph that keeps the headers of every GraphQL request it passes on. */
async function recordingHop(target: string) {
  const headers: IncomingHttpHeaders[] = [];
  const server = createServer(async (req, res) => {
    if (req.url === '/graphql') headers.push(req.headers);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const passed = Object.entries(req.headers).filter(([name]) => !['host', 'connection', 'content-length', 'keep-alive'].includes(name));
    const answer = await fetch(`${target}${req.url}`, { method: req.method, headers: passed as [string, string][], body: chunks.length ? Buffer.concat(chunks) : undefined });
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' }).end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    headers,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function eventually<T>(find: () => T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    const found = find();
    if (found !== undefined) return found;
  }
  throw new Error(`no ${what} within ${timeoutMs} ms`);
}

const MEMBERS = 'query Members { members(first: 10) { nodes { id user { email } auditTrail(first: 5) { totalCount } } } }';
const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/;
const clientTraceId = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const clientTraceparent = `00-${clientTraceId}-bbbbbbbbbbbbbbbb-01`;

describe('tracing (OpenTelemetry, W3C trace context)', () => {
  let stack: Stack;
  let gql: ReturnType<typeof graphqlClient>;
  let owner: AuthPayload;
  let hop: Awaited<ReturnType<typeof recordingHop>>;
  let hopGateway: Awaited<ReturnType<typeof startAnotherGateway>>;

  const portOf = (url: string) => Number(new URL(url).port);
  const outboxTraceparents = async (tenantId: string): Promise<(string | null)[]> =>
    (await admin().query(`SELECT traceparent FROM identity.outbox WHERE tenant_id = $1 ORDER BY position`, [tenantId])).rows.map(
      (row: { traceparent: string | null }) => row.traceparent,
    );

  beforeAll(async () => {
    stack = await startStack();
    gql = graphqlClient(stack.gatewayUrl);
    owner = await signUp(gql, 'Tracing');
    hop = await recordingHop(stack.subgraphUrls.identity);
    hopGateway = await startAnotherGateway(stack, subgraphUrlEnv({ ...stack.subgraphUrls, identity: hop.url }));
  });
  afterAll(async () => {
    await hopGateway?.stop();
    await hop?.close();
    await stack?.stop();
    await closeAdmin();
  });

  describe('off, the default', () => {
    it('sends no traceparent to a subgraph and stores none with an outbox event, but still a request id', async () => {
      hop.headers.length = 0;
      const answer = await graphqlClient(hopGateway.url)(MEMBERS, {}, owner.accessToken);
      expect(answer.data.members.nodes).toHaveLength(1);
      expect(hop.headers.length).toBeGreaterThan(0);
      for (const headers of hop.headers) {
        expect(headers.traceparent).toBeUndefined();
        expect(headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      }
      expect(await outboxTraceparents(owner.tenant.id)).toEqual(expect.arrayContaining([null]));
      expect((await outboxTraceparents(owner.tenant.id)).every((traceparent) => traceparent === null)).toBe(true);
    });
  });

  describe('on (an in-memory exporter in this process sees every service of the stack)', () => {
    const exporter = new InMemorySpanExporter();
    let tracing: Tracing;
    const spans = () => exporter.getFinishedSpans();
    const inTrace = (traceId: string) => spans().filter((span) => span.spanContext().traceId === traceId);
    const childrenOf = (parent: ReadableSpan) => spans().filter((span) => span.parentSpanContext?.spanId === parent.spanContext().spanId);
    /** The gateway's server span of the request whose operation has `name` (found through Apollo's own span). */
    const gatewaySpanOf = async (name: string): Promise<ReadableSpan> => {
      const request = await eventually(() => spans().find((span) => span.name === 'gateway.request' && span.attributes['graphql.operation.name'] === name), `${name} span`);
      return eventually(
        () => inTrace(request.spanContext().traceId).find((span) => span.kind === SpanKind.SERVER && !span.parentSpanContext),
        `gateway server span of ${name}`,
      );
    };

    beforeAll(() => {
      tracing = startTracing('e2e', { exporter });
    });
    afterAll(async () => {
      await tracing.stop();
    });
    beforeEach(() => exporter.reset());

    it('traces one federated query through the gateway and two subgraphs under one trace id', async () => {
      const answer = await graphqlClient(stack.gatewayUrl)(MEMBERS, {}, owner.accessToken);
      expect(answer.data.members.nodes).toHaveLength(1);

      const server = await gatewaySpanOf('Members');
      expect(server.name).toBe('POST /graphql');
      const traceId = server.spanContext().traceId;
      const fetches = await eventually(() => {
        const found = inTrace(traceId).filter((span) => span.kind === SpanKind.CLIENT);
        return found.length >= 2 && found.every((fetch) => childrenOf(fetch).length === 1) ? found : undefined;
      }, 'subgraph fetches with their server spans');
      expect(new Set(fetches.map((fetch) => fetch.attributes['server.port']))).toEqual(
        new Set([portOf(stack.subgraphUrls.identity), portOf(stack.subgraphUrls.audit)]),
      );
      for (const fetch of fetches) {
        const [subgraphServer] = childrenOf(fetch);
        expect(subgraphServer).toMatchObject({ kind: SpanKind.SERVER, name: 'POST /graphql' });
        expect(subgraphServer.spanContext().traceId).toBe(traceId);
      }

      const recorded = JSON.stringify(inTrace(traceId).map((span) => ({ name: span.name, attributes: span.attributes, events: span.events })));
      for (const secret of [owner.tenant.id, owner.tenant.slug, owner.user.email, owner.user.id, owner.accessToken, 'first: 10', 'auditTrail']) {
        expect(recorded).not.toContain(secret);
      }
    });

    it('carries the subgraph fetch span to the subgraph as traceparent', async () => {
      hop.headers.length = 0;
      await graphqlClient(hopGateway.url)(MEMBERS, {}, owner.accessToken);
      const [sent] = hop.headers;
      expect(sent.traceparent).toMatch(TRACEPARENT);
      const fetch = await eventually(() => spans().find((span) => span.kind === SpanKind.CLIENT && span.attributes['server.port'] === portOf(hop.url)), 'fetch span');
      expect(sent.traceparent).toBe(`00-${fetch.spanContext().traceId}-${fetch.spanContext().spanId}-01`);
    });

    it("starts a new trace for a client's own traceparent, and continues one from a trusted proxy", async () => {
      const send = (url: string) =>
        fetch(`${url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${owner.accessToken}`, traceparent: clientTraceparent },
          body: JSON.stringify({ query: MEMBERS }),
        });
      expect((await send(stack.gatewayUrl)).status).toBe(200);
      const fromClient = await gatewaySpanOf('Members');
      expect(fromClient.spanContext().traceId).not.toBe(clientTraceId);

      exporter.reset();
      const behindProxy = await startAnotherGateway(stack, { ...subgraphUrlEnv(stack.subgraphUrls), TRUSTED_PROXIES: '127.0.0.1' });
      try {
        expect((await send(behindProxy.url)).status).toBe(200);
        const request = await eventually(() => spans().find((span) => span.name === 'gateway.request'), 'request span');
        expect(request.spanContext().traceId).toBe(clientTraceId);
        const server = inTrace(clientTraceId).find((span) => span.kind === SpanKind.SERVER && span.parentSpanContext?.spanId === 'bbbbbbbbbbbbbbbb');
        expect(server?.name).toBe('POST /graphql');
      } finally {
        await behindProxy.stop();
      }
    });

    it('traces a proxied route under its route template, and the gateway logs with the request and trace ids', async () => {
      expect((await fetch(`${stack.gatewayUrl}/.well-known/jwks.json`, { headers: { authorization: `Bearer ${owner.accessToken}` } })).status).toBe(200);
      const served = await eventually(() => spans().find((span) => span.name === 'GET /.well-known/jwks.json' && span.kind === SpanKind.SERVER && !span.parentSpanContext), 'route span');
      const [proxied] = childrenOf(served);
      expect(proxied).toMatchObject({ kind: SpanKind.CLIENT, attributes: { 'server.port': portOf(stack.subgraphUrls.identity) } });
      expect(await eventually(() => childrenOf(proxied)[0], "identity's server span")).toMatchObject({ kind: SpanKind.SERVER, name: 'GET /.well-known/jwks.json' });

      const unreachable = await startAnotherGateway(stack, subgraphUrlEnv({ ...stack.subgraphUrls, evidence: `http://127.0.0.1:${await freePort()}` }));
      const written: string[] = [];
      const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => written.push(String(chunk)) > 0);
      try {
        const answer = await fetch(`${unreachable.url}/evidence/proofpacks/${owner.tenant.id}/download`, { headers: { authorization: `Bearer ${owner.accessToken}` } });
        expect(answer.status).toBe(502);
      } finally {
        stderr.mockRestore();
        await unreachable.stop();
      }
      const failed = await eventually(() => spans().find((span) => span.name === 'GET /evidence/proofpacks/:id/download' && span.kind === SpanKind.SERVER), 'failed route span');
      expect(childrenOf(failed)[0].status.code).toBe(SpanStatusCode.ERROR);
      expect(JSON.stringify([failed, ...childrenOf(failed)].map((span) => span.attributes))).not.toContain(owner.tenant.id);
      const entry = JSON.parse(written.find((line) => line.includes('route proxy failed'))!);
      expect(entry).toMatchObject({ service: 'gateway', requestId: expect.stringMatching(/^[0-9a-f-]{36}$/), traceId: failed.spanContext().traceId });
    });

    it("stores the mutation's trace context with its outbox event, and links the relay's delivery span to it", async () => {
      const input = signUpInput('Traced');
      const answer = await gql(`mutation TracedSignUp($input: SignUpInput!) { signUp(input: $input) { ${AUTH} } }`, { input });
      const tenantId = answer.data.signUp.tenant.id as string;

      const gatewayServer = await gatewaySpanOf('TracedSignUp');
      const traceId = gatewayServer.spanContext().traceId;
      const identityServer = await eventually(
        () => inTrace(traceId).find((span) => span.kind === SpanKind.SERVER && span.parentSpanContext !== undefined),
        'identity server span',
      );
      const stored = await outboxTraceparents(tenantId);
      expect(stored.length).toBeGreaterThan(0);
      for (const traceparent of stored) expect(traceparent).toBe(`00-${traceId}-${identityServer.spanContext().spanId}-01`);

      const delivery = await eventually(
        () => spans().find((span) => span.name === 'send audit' && span.links.some((link) => link.context.traceId === traceId)),
        'delivery span linked to the sign-up',
      );
      expect(delivery.kind).toBe(SpanKind.PRODUCER);
      expect(delivery.parentSpanContext).toBeUndefined();
      expect(delivery.spanContext().traceId).not.toBe(traceId);
      expect(delivery.links.find((link) => link.context.traceId === traceId)?.context.spanId).toBe(identityServer.spanContext().spanId);
      expect(delivery.attributes).toMatchObject({ 'messaging.destination.name': 'audit' });
      expect(JSON.stringify(delivery.attributes)).not.toContain(tenantId);

      const ingest = await eventually(() => childrenOf(delivery)[0], "audit ingest's server span");
      expect(ingest).toMatchObject({ kind: SpanKind.SERVER, name: `POST ${AUDIT_INGEST.path}` });
    });
  });
});
