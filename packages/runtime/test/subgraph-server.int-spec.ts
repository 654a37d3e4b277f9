import 'reflect-metadata';
import { Ctx, Field, ObjectType, Query, Resolver } from 'type-graphql';
import { allow, badUserInput, isAuthenticated } from '@compliance-graph/auth';
import { createLogger } from '@compliance-graph/config';
import { admin, closeAdmin, executeOnSubgraph, mintToken, postGraphql, principal, testTokenVerifier } from '@compliance-graph/testing';
import { buildFederatedSchema, fieldsWithoutRule, type RequestContext } from '@compliance-graph/federation';
import { startSubgraphServer, type RunningSubgraph } from '../src';

const ROUTER_SECRET = 'router-secret-for-tests-0123456789abcdef';
const TENANT = '7d1f0c4e-3b2a-4c1d-9e8f-0a1b2c3d4e5f';

@ObjectType()
class Echo {
  @Field()
  tenantId!: string;
}

@Resolver()
class ProbeResolver {
  @Query(() => Echo)
  whoami(@Ctx() ctx: RequestContext): Echo {
    return { tenantId: ctx.principal!.tenantId };
  }

  @Query(() => String)
  unexpected(): string {
    throw new Error('connect ECONNREFUSED 10.0.0.7:5432 password=hunter2');
  }

  @Query(() => String)
  async databaseError(): Promise<string> {
    await admin().query(`CREATE TEMP TABLE IF NOT EXISTS probe_keys (k int CONSTRAINT probe_secret_constraint UNIQUE)`);
    await admin().query(`INSERT INTO probe_keys (k) VALUES (1), (1)`);
    return 'unreachable';
  }

  @Query(() => String)
  rejected(): string {
    throw badUserInput('title is required');
  }

  @Query(() => String)
  unguarded(): string {
    return 'nobody wrote a rule for this';
  }
}

const rules = {
  Query: { whoami: isAuthenticated, unexpected: allow, databaseError: allow, rejected: allow },
  Echo: allow,
};

describe('subgraph server', () => {
  let server: RunningSubgraph<undefined>;
  const graphql = () => `${server.url}/graphql`;
  const asRouter = { 'x-router-secret': ROUTER_SECRET };

  beforeAll(async () => {
    server = await startSubgraphServer({
      service: 'probe',
      schema: await buildFederatedSchema({ resolvers: [ProbeResolver], rules, inputLimits: {} }),
      host: '127.0.0.1',
      port: 0,
      routerSecret: ROUTER_SECRET,
      verifyAccessToken: await testTokenVerifier(),
      logger: createLogger('probe', 'error'),
      production: true,
      checkReadiness: async () => undefined,
      createLoaders: () => undefined,
    });
  });
  afterAll(async () => {
    await server.stop();
    await closeAdmin();
  });

  it('refuses a request without the router secret before running anything', async () => {
    const token = await mintToken(principal(TENANT, 'OWNER'));
    const answer = await postGraphql(graphql(), { query: '{ whoami { tenantId } }' }, { authorization: `Bearer ${token}` });
    expect(answer.status).toBe(403);
    expect(answer.body.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(answer.body.data).toBeUndefined();
  });

  it('takes the tenant from the verified token', async () => {
    const token = await mintToken(principal(TENANT, 'MEMBER'));
    const answer = await postGraphql(graphql(), { query: '{ whoami { tenantId } }' }, { ...asRouter, authorization: `Bearer ${token}` });
    expect(answer.body).toEqual({ data: { whoami: { tenantId: TENANT } } });
  });

  it('answers a forged token with UNAUTHENTICATED and status 401', async () => {
    const token = await mintToken(principal(TENANT, 'OWNER'));
    const forged = `${token.slice(0, -4)}AAAA`;
    const answer = await postGraphql(graphql(), { query: '{ whoami { tenantId } }' }, { ...asRouter, authorization: `Bearer ${forged}` });
    expect(answer.status).toBe(401);
    expect(answer.body.errors[0].extensions).toEqual({ code: 'UNAUTHENTICATED' });
  });

  it('answers an anonymous caller of a guarded field with UNAUTHENTICATED', async () => {
    const answer = await postGraphql(graphql(), { query: '{ whoami { tenantId } }' }, asRouter);
    expect(answer.body.errors[0].extensions).toEqual({ code: 'UNAUTHENTICATED' });
  });

  it('hides an unexpected error behind a generic INTERNAL_SERVER_ERROR, and logs the cause with the request id', async () => {
    const logged: string[] = [];
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => logged.push(String(chunk)) > 0);
    const answer = await postGraphql(graphql(), { query: '{ unexpected }' }, { ...asRouter, 'x-request-id': 'req-0123456789' }).finally(() =>
      stderr.mockRestore(),
    );
    const entry = JSON.parse(logged.find((line) => line.includes('unexpected error'))!);
    expect(entry).toMatchObject({ level: 'error', requestId: 'req-0123456789', path: ['unexpected'] });
    expect(entry.error.message).toContain('ECONNREFUSED 10.0.0.7');
    const text = JSON.stringify(answer.body);
    expect(answer.body.errors[0]).toMatchObject({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(text).not.toMatch(/ECONNREFUSED|hunter2|10\.0\.0\.7|stacktrace|at /);
  });

  it('hides a constraint violation: no SQL, constraint, table or driver detail', async () => {
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const answer = await postGraphql(graphql(), { query: '{ databaseError }' }, asRouter).finally(() => stderr.mockRestore());
    const text = JSON.stringify(answer.body);
    expect(answer.body.errors[0]).toMatchObject({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(text).not.toMatch(/duplicate|probe_secret_constraint|probe_keys|INSERT|23505/);
  });

  it('passes a coded error through with its message and code only', async () => {
    const answer = await postGraphql(graphql(), { query: '{ rejected }' }, asRouter);
    expect(answer.body.errors).toEqual([
      { message: 'title is required', locations: [{ line: 1, column: 3 }], path: ['rejected'], extensions: { code: 'BAD_USER_INPUT' } },
    ]);
  });

  it('denies a field without a rule by default, and the coverage check names it', async () => {
    const answer = await postGraphql(graphql(), { query: '{ unguarded }' }, asRouter);
    expect(answer.body.errors[0].extensions).toEqual({ code: 'FORBIDDEN' });
    expect(answer.body.data).toBeNull();
    const schema = await buildFederatedSchema({ resolvers: [ProbeResolver], rules, inputLimits: {} });
    expect(fieldsWithoutRule(schema, rules)).toEqual(['Query.unguarded']);
  });

  it('answers a malformed JSON body with a coded 400', async () => {
    const answer = await postGraphql(graphql(), '{"query": "{ whoami', asRouter);
    expect(answer.status).toBe(400);
    expect(answer.body.errors[0].extensions.code).toBe('BAD_REQUEST');
    expect(JSON.stringify(answer.body)).not.toMatch(/SyntaxError|at /);
  });

  it('refuses a body that is not valid UTF-8 instead of passing U+FFFD on to resolvers', async () => {
    const body = Buffer.concat([Buffer.from('{"query":"{ rejected }","variables":{"note":"a'), Buffer.from([0xff, 0xfe]), Buffer.from('"}}')]);
    const answer = await fetch(graphql(), { method: 'POST', headers: { 'content-type': 'application/json', ...asRouter }, body });
    expect(answer.status).toBe(400);
    expect(((await answer.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('BAD_REQUEST');
  });

  it('serves _service to the router only', async () => {
    const byRouter = await executeOnSubgraph(server, '{ _service { sdl } }', {}, { fromRouter: true });
    expect(byRouter.data?._service.sdl).toContain('whoami');
    const byOthers = await executeOnSubgraph(server, '{ _service { sdl } }', {}, { fromRouter: false, principal: principal(TENANT, 'OWNER') });
    expect(byOthers.data).toBeNull();
    expect(byOthers.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('reports health and readiness without the router secret', async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  });
});
