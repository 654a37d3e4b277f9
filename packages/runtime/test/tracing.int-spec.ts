import 'reflect-metadata';
import { Ctx, Query, Resolver } from 'type-graphql';
import { SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { allow } from '@compliance-graph/auth';
import { createLogger } from '@compliance-graph/config';
import { buildFederatedSchema, type RequestContext } from '@compliance-graph/federation';
import { postGraphql, testTokenVerifier } from '@compliance-graph/testing';
import { startSubgraphServer, startTracing, type RunningSubgraph } from '../src';

const ROUTER_SECRET = 'router-secret-for-tests-0123456789abcdef';
const lines: string[] = [];
/** The server's own logger, not a request's child: what it writes during a request must still carry the request's ids. */
const logger = createLogger('probe', 'info', { write: (line: string) => void lines.push(line) });
const entries = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

@Resolver()
class LoggingResolver {
  @Query(() => String)
  work(): string {
    logger.info({ headers: { authorization: 'Bearer eyJsecret' } }, 'working');
    return 'done';
  }

  @Query(() => String)
  workThroughContext(@Ctx() ctx: RequestContext): string {
    ctx.logger.info('working through the context');
    return 'done';
  }
}

const recording = () => trace.getTracer('probe').startSpan('probe').isRecording();

describe('startTracing', () => {
  it('is off without OTEL_* variables, with OTEL_TRACES_EXPORTER=none and with OTEL_SDK_DISABLED=true', async () => {
    for (const env of [{}, { OTEL_TRACES_EXPORTER: 'none' }, { OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'console' }]) {
      const tracing = startTracing('probe', { env });
      expect(recording()).toBe(false);
      await tracing.stop();
    }
  });

  it('is on with an exporter named, or an OTLP endpoint set, and off again once stopped', async () => {
    for (const env of [{ OTEL_TRACES_EXPORTER: 'console' }, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1' }]) {
      const tracing = startTracing('probe', { env });
      expect(recording()).toBe(true);
      await tracing.stop();
      expect(recording()).toBe(false);
    }
  });

  it('refuses an exporter it does not have, naming the variable', () => {
    expect(() => startTracing('probe', { env: { OTEL_TRACES_EXPORTER: 'zipkin' } })).toThrow(/OTEL_TRACES_EXPORTER must be one of otlp, console, none/);
  });
});

describe('a request on a subgraph server', () => {
  let server: RunningSubgraph<undefined>;
  const work = (headers: Record<string, string>) => postGraphql(`${server.url}/graphql`, { query: '{ work }' }, { 'x-router-secret': ROUTER_SECRET, ...headers });
  const workingEntry = () => entries().find((entry) => entry.msg === 'working')!;

  beforeAll(async () => {
    server = await startSubgraphServer({
      service: 'probe',
      schema: await buildFederatedSchema({ resolvers: [LoggingResolver], rules: { Query: { work: allow, workThroughContext: allow } }, inputLimits: {} }),
      host: '127.0.0.1',
      port: 0,
      routerSecret: ROUTER_SECRET,
      verifyAccessToken: await testTokenVerifier(),
      logger,
      production: true,
      checkReadiness: async () => undefined,
      createLoaders: () => undefined,
    });
  });
  afterAll(() => server.stop());
  beforeEach(() => void (lines.length = 0));

  it("logs with the gateway's request id, once, and still blanks credentials", async () => {
    expect((await work({ 'x-request-id': 'req-0123456789' })).body).toEqual({ data: { work: 'done' } });
    const line = lines.find((written) => written.includes('working'))!;
    expect(line.match(/"requestId"/g)).toHaveLength(1);
    expect(line).not.toContain('eyJsecret');
    expect(JSON.parse(line)).toMatchObject({ requestId: 'req-0123456789', headers: { authorization: '[redacted]' } });
    expect(JSON.parse(line).traceId).toBeUndefined();
  });

  it("writes the request id once through the request's own child logger too", async () => {
    await postGraphql(`${server.url}/graphql`, { query: '{ workThroughContext }' }, { 'x-router-secret': ROUTER_SECRET, 'x-request-id': 'req-0123456789' });
    const line = lines.find((written) => written.includes('working through the context'))!;
    expect(line.match(/"requestId"/g)).toHaveLength(1);
    expect(JSON.parse(line).requestId).toBe('req-0123456789');
  });

  it('logs with an id of its own when the request brought none (or a malformed one)', async () => {
    await work({ 'x-request-id': 'bad id' });
    expect(workingEntry().requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("with tracing on, runs in a server span continuing the caller's traceparent, and logs its trace id", async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = startTracing('probe', { exporter });
    try {
      const traceId = '0af7651916cd43dd8448eb211c80319c';
      await work({ 'x-request-id': 'req-0123456789', traceparent: `00-${traceId}-b7ad6b7169203331-01` });
      expect(workingEntry()).toMatchObject({ requestId: 'req-0123456789', traceId });
      // The span ends when the response has closed, which may be just after the client read it.
      while (exporter.getFinishedSpans().length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      const [span] = exporter.getFinishedSpans();
      expect(span).toMatchObject({ name: 'POST /graphql', kind: SpanKind.SERVER, attributes: { 'http.route': '/graphql', 'http.response.status_code': 200 } });
      expect(span.spanContext().traceId).toBe(traceId);
      expect(span.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    } finally {
      await tracing.stop();
    }
  });
});
