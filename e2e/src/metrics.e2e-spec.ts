import { closeAdmin } from '@compliance-graph/testing';
import { SUBGRAPH_NAMES, type ServiceName } from '@compliance-graph/config';
import { signUp, type AuthPayload } from './accounts';
import { codeOf, graphqlClient } from './graphql-client';
import { parseExposition, sampleValue as value, type Sample } from './prometheus';
import { startStack, type Stack } from './stack';

describe('Prometheus /metrics on every app', () => {
  let stack: Stack;
  let gql: ReturnType<typeof graphqlClient>;
  let owner: AuthPayload;

  const scrapeText = async (service: ServiceName) => {
    const response = await fetch(`${stack.metricsUrl(service)}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    return response.text();
  };
  const scrape = async (service: ServiceName) => parseExposition(await scrapeText(service));
  const requests = async (labels: Record<string, string>) => value(await scrape('gateway'), 'graphql_requests_total', labels);
  const members = (name: string) => `query ${name} { members(first: 200) { totalCount } }`;

  beforeAll(async () => {
    stack = await startStack();
    gql = graphqlClient(stack.gatewayUrl);
    owner = await signUp(gql, 'Metrics');
  });
  afterAll(async () => {
    await stack.stop();
    await closeAdmin();
  });

  it('counts a canonical operation under its name, with its latency, and its subgraph fetches', async () => {
    const before = await scrape('gateway');
    const answer = await gql(members('Members'), {}, owner.accessToken);
    expect(answer.data.members.totalCount).toBe(1);
    const after = await scrape('gateway');
    expect(value(after, 'graphql_requests_total', { operation: 'Members', code: 'OK' }) - value(before, 'graphql_requests_total', { operation: 'Members', code: 'OK' })).toBe(1);
    const latencyCount = (samples: Sample[]) => value(samples, 'graphql_request_duration_seconds_count', { operation: 'Members' });
    expect(latencyCount(after) - latencyCount(before)).toBe(1);
    const identityFetches = (samples: Sample[]) => value(samples, 'subgraph_fetch_duration_seconds_count', { subgraph: 'identity' });
    expect(identityFetches(after) - identityFetches(before)).toBeGreaterThanOrEqual(1);
    expect(new Set(after.filter((s) => s.name === 'subgraph_fetch_duration_seconds_count').map((s) => s.labels.subgraph))).toEqual(new Set(['identity']));
  });

  it('counts invented and anonymous operations as `other` and `anonymous`: 50 names in parallel stay one series', async () => {
    const otherBefore = await requests({ operation: 'other', code: 'OK' });
    const invented = Array.from({ length: 50 }, (_, i) => `Invented${i}_${owner.tenant.id.replace(/-/g, '')}`);
    const answers = await Promise.all(invented.map((name) => gql(members(name), {}, owner.accessToken)));
    expect(answers.every((answer) => answer.data?.members.totalCount === 1)).toBe(true);
    const anonymousBefore = await requests({ operation: 'anonymous' });
    expect((await gql('{ members(first: 1) { totalCount } }', {}, owner.accessToken)).data.members.totalCount).toBe(1);

    const text = await scrapeText('gateway');
    const samples = parseExposition(text);
    expect(value(samples, 'graphql_requests_total', { operation: 'other', code: 'OK' }) - otherBefore).toBe(50);
    expect(value(samples, 'graphql_requests_total', { operation: 'anonymous' }) - anonymousBefore).toBe(1);
    expect(samples.filter((s) => s.name === 'graphql_requests_total' && s.labels.operation === 'other' && s.labels.code === 'OK')).toHaveLength(1);
    for (const name of invented) expect(text).not.toContain(name);
  });

  it('counts errors by their code: validation, a bad token, a NUL byte in a long document', async () => {
    const validationBefore = await requests({ operation: 'Members', code: 'GRAPHQL_VALIDATION_FAILED' });
    const invalid = await gql('query Members { members(first: 200) { noSuchField } }', {}, owner.accessToken);
    expect(codeOf(invalid)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect((await requests({ operation: 'Members', code: 'GRAPHQL_VALIDATION_FAILED' })) - validationBefore).toBe(1);

    const unauthenticatedBefore = await requests({ operation: 'other', code: 'UNAUTHENTICATED' });
    expect(codeOf(await gql(members('Members'), {}, 'not-a-token'))).toBe('UNAUTHENTICATED');
    expect((await requests({ operation: 'other', code: 'UNAUTHENTICATED' })) - unauthenticatedBefore).toBe(1);

    const parseBefore = await requests({ code: 'GRAPHQL_PARSE_FAILED' });
    const hostile = `query Members\u0000${'x'.repeat(5000)} {`;
    expect(codeOf(await gql(hostile, {}, owner.accessToken))).toBe('GRAPHQL_PARSE_FAILED');
    expect((await requests({ code: 'GRAPHQL_PARSE_FAILED' })) - parseBefore).toBe(1);

  });

  it('shows each subgraph’s DB pools and, per topic of its relay, the outbox backlog and oldest age', async () => {
    for (const service of SUBGRAPH_NAMES) {
      const samples = await scrape(service);
      for (const state of ['total', 'idle', 'waiting']) {
        expect(samples.some((s) => s.name === 'db_pool_connections' && s.labels.pool === 'request' && s.labels.state === state)).toBe(true);
      }
      expect(value(samples, 'db_pool_connections', { pool: 'request', state: 'total' })).toBeGreaterThanOrEqual(1);
      const ready = (await (await fetch(`${stack.subgraphUrls[service]}/readyz`)).json()) as { outbox?: Record<string, unknown> };
      const topics = Object.keys(ready.outbox ?? {}).sort();
      for (const name of ['outbox_pending_messages', 'outbox_oldest_pending_age_seconds', 'outbox_dead_messages']) {
        expect(samples.filter((s) => s.name === name).map((s) => s.labels.topic).sort()).toEqual(topics);
      }
      if (topics.length > 0) expect(samples.some((s) => s.name === 'db_pool_connections' && s.labels.pool === 'worker')).toBe(true);
      expect(samples.some((s) => s.name === 'process_cpu_user_seconds_total' && s.labels.service === service)).toBe(true);
    }
    expect(Object.keys(((await (await fetch(`${stack.subgraphUrls.identity}/readyz`)).json()) as { outbox: object }).outbox)).toContain('audit');
  });

  it('counts audit appends and head-lock waits as sign-ups reach the log, with no tenant label', async () => {
    const before = await scrape('audit');
    await Promise.all(Array.from({ length: 3 }, () => signUp(gql, 'Appends')));
    let after = before;
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
      after = await scrape('audit');
      if (value(after, 'audit_records_appended_total') - value(before, 'audit_records_appended_total') >= 3) break;
    }
    expect(value(after, 'audit_records_appended_total') - value(before, 'audit_records_appended_total')).toBeGreaterThanOrEqual(3);
    expect(value(after, 'audit_head_lock_wait_seconds_count') - value(before, 'audit_head_lock_wait_seconds_count')).toBeGreaterThanOrEqual(3);
  });

  it('puts no tenant id, user id or email in any label of any app', async () => {
    for (const service of ['gateway', ...SUBGRAPH_NAMES] as const) {
      const text = await scrapeText(service);
      for (const secretish of [owner.tenant.id, owner.user.id, owner.user.email, owner.tenant.slug, '@example.test']) expect(text).not.toContain(secretish);
      const labelNames = new Set(parseExposition(text).flatMap((s) => Object.keys(s.labels)));
      for (const forbidden of ['tenant', 'tenant_id', 'tenantId', 'user', 'email']) expect(labelNames).not.toContain(forbidden);
    }
  });

  it('is not served on any public port, and its own listener serves only GET /metrics', async () => {
    const publicMetrics = await fetch(`${stack.gatewayUrl}/metrics`);
    expect(publicMetrics.status).toBe(404);
    expect(await publicMetrics.text()).not.toContain('graphql_requests_total');
    for (const service of SUBGRAPH_NAMES) {
      const response = await fetch(`${stack.subgraphUrls[service]}/metrics`);
      expect(response.status).toBe(404);
    }
    for (const service of ['gateway', ...SUBGRAPH_NAMES] as const) {
      expect(new URL(stack.metricsUrl(service)).port).not.toBe(new URL(service === 'gateway' ? stack.gatewayUrl : stack.subgraphUrls[service]).port);
    }
    expect((await fetch(`${stack.metricsUrl('gateway')}/graphql`)).status).toBe(404);
    expect((await fetch(`${stack.metricsUrl('gateway')}/metrics`, { method: 'POST' })).status).toBe(404);
  });
});
