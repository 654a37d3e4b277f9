import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bearer, closeAdmin, createTenant, postGraphql, signIn, type TestTenant } from '@compliance-graph/testing';
import { insertEvidence } from './fixtures';
import { GATEWAY_KINDS, startAnotherGateway, startStack, type RunningGatewayOfKind, type Stack } from './stack';

/** The gateway's operation limits as a client meets them: real clients pass, scanners do not. */
describe.each(GATEWAY_KINDS)('gateway limits over real HTTP (%s gateway)', (gatewayKind) => {
  let stack: Stack;
  let acme: TestTenant;
  let token: string;
  const graphql = () => `${stack.gatewayUrl}/graphql`;

  beforeAll(async () => {
    stack = await startStack({}, {}, gatewayKind);
    acme = await createTenant('Acme');
    token = (await signIn(acme.tenantId, acme.owner)).token;
  });
  afterAll(async () => {
    await stack.stop();
    await closeAdmin();
  });

  it("answers the contract's largest audit page with an ordinary selection", async () => {
    const query = '{ auditEvents(first: 200) { totalCount nodes { id seq action actorKind actorId actor { id } leafHash } } }';
    const answer = await postGraphql(graphql(), { query }, bearer(token));
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data.auditEvents.totalCount).toEqual(expect.any(Number));
  });

  it.each([
    ['101 aliased __typename fields', `{ ${Array.from({ length: 101 }, (_, i) => `t${i}: __typename`).join(' ')} }`, /^Aliases limit of 15 exceeded, found 101\.$/],
    ['eleven duplicated directives', `{ __typename ${'@include(if: true) '.repeat(11)}}`, /^Directives limit of 10 exceeded, found 11\.$/],
    [
      'nested full pages',
      '{ members(first: 200) { nodes { auditTrail(first: 200) { nodes { id action actor { id displayName } } } } } }',
      /^Operation cost limit of 100000 exceeded, found \d+\.$/,
    ],
  ])('refuses %s before anything runs, saying which limit', async (_label, query, message) => {
    const answer = await postGraphql(graphql(), { query }, bearer(token));
    expect(answer.status).toBe(400);
    expect(answer.body.data).toBeUndefined();
    // The limit is reported first; graphql-js's own rules may add theirs (duplicated directives).
    expect(answer.body.errors![0]).toEqual(expect.objectContaining({ message: expect.stringMatching(message), extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }));
  });

  it('prices a page size passed as a variable', async () => {
    const query = 'query ($n: Int) { members(first: $n) { nodes { auditTrail(first: $n) { nodes { id action } } } } }';
    const refused = await postGraphql(graphql(), { query, variables: { n: 200 } }, bearer(token));
    expect(refused.body.errors![0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const answered = await postGraphql(graphql(), { query, variables: { n: 5 } }, bearer(token));
    expect(answered.body.errors).toBeUndefined();
  });

  describe('in production', () => {
    let production: RunningGatewayOfKind;
    beforeAll(async () => {
      production = await startAnotherGateway(stack, { NODE_ENV: 'production' });
    });
    afterAll(() => production.stop());

    it('names no field a misspelling resembles', async () => {
      const answer = await postGraphql(`${production.url}/graphql`, { query: '{ viewr { role } }' }, bearer(token));
      expect(answer.body.errors![0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(answer.body.errors![0].message).not.toMatch(/Did you mean|viewer/);
    });
  });

  describe('with a subgraph that hangs', () => {
    let hanging: Server;
    let degraded: RunningGatewayOfKind;
    beforeAll(async () => {
      // Accepts every request and never answers, as a wedged subgraph does.
      hanging = createServer(() => undefined);
      await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
      degraded = await startAnotherGateway(stack, { EVIDENCE_URL: url, SUBGRAPH_TIMEOUT_MS: '500' });
    });
    afterAll(async () => {
      await degraded.stop();
      hanging.closeAllConnections();
      await new Promise((resolve) => hanging.close(resolve));
    });

    it("times out that subgraph's fields with INTERNAL_SERVER_ERROR and answers the rest", async () => {
      const id = await insertEvidence(acme.tenantId, acme.owner.userId);
      const answer = await postGraphql(
        `${degraded.url}/graphql`,
        { query: 'query ($id: ID!) { viewer { role } evidence(id: $id) { id } }', variables: { id } },
        bearer(token),
      );
      expect(answer.body.data).toEqual({ viewer: { role: 'OWNER' }, evidence: null });
      expect(answer.body.errors).toEqual([{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }]);
    });
  });
});
