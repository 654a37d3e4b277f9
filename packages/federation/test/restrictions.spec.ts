import 'reflect-metadata';
import { graphql, type GraphQLSchema } from 'graphql';
import { Mutation, Query, Resolver } from 'type-graphql';
import { hasRole, isAuthenticated, ADMINS, type Principal } from '@compliance-graph/auth';
import { createLogger } from '@compliance-graph/config';
import { buildFederatedSchema } from '../src';

@Resolver()
class RestrictedResolver {
  @Query(() => String)
  viewer(): string {
    return 'me';
  }

  @Query(() => String)
  members(): string {
    return 'everyone';
  }

  @Mutation(() => String)
  updateTenantSettings(): string {
    return 'changed';
  }

  @Mutation(() => String)
  endSupportSession(): string {
    return 'ended';
  }
}

const tenantId = '4a1b2c3d-0000-4000-8000-000000000001';
const who = (overrides: Partial<Principal>): Principal => ({
  kind: 'USER',
  subjectId: '4a1b2c3d-0000-4000-8000-000000000002',
  tenantId,
  role: 'OWNER',
  sessionId: '4a1b2c3d-0000-4000-8000-000000000003',
  scope: 'full',
  mfa: true,
  ...overrides,
});

/** The restrictions every subgraph's rule tree gets on top of its own rules. */
describe('root field restrictions', () => {
  let schema: GraphQLSchema;

  beforeAll(async () => {
    schema = await buildFederatedSchema({
      resolvers: [RestrictedResolver],
      rules: {
        Query: { viewer: isAuthenticated, members: isAuthenticated },
        Mutation: { updateTenantSettings: hasRole(...ADMINS), endSupportSession: isAuthenticated },
      },
      inputLimits: { id: { max: 36 } },
    });
  });

  const run = async (source: string, principal?: Principal) => {
    const result = await graphql({
      schema,
      source,
      contextValue: { principal, fromRouter: true, requestId: 'test', logger: createLogger('test', 'error'), loaders: {} },
    });
    return { data: result.data, codes: (result.errors ?? []).map((e) => e.extensions.code) };
  };

  it('lets an enrolment-only token reach the enrolment fields only', async () => {
    const enrolling = who({ scope: 'mfa_enrolment', mfa: false });
    expect(await run('{ viewer }', enrolling)).toEqual({ data: { viewer: 'me' }, codes: [] });
    expect(await run('{ members }', enrolling)).toEqual({ data: null, codes: ['MFA_REQUIRED'] });
    expect(await run('mutation { updateTenantSettings }', enrolling)).toEqual({ data: null, codes: ['MFA_REQUIRED'] });
  });

  it('keeps a support session read-only except for ending itself', async () => {
    const support = who({ kind: 'SUPPORT', role: 'AUDITOR' });
    expect(await run('{ members }', support)).toEqual({ data: { members: 'everyone' }, codes: [] });
    expect(await run('mutation { updateTenantSettings }', support)).toEqual({ data: null, codes: ['FORBIDDEN'] });
    expect(await run('mutation { endSupportSession }', support)).toEqual({ data: { endSupportSession: 'ended' }, codes: [] });
  });

  it('still asks an anonymous caller to authenticate first', async () => {
    expect(await run('{ members }')).toEqual({ data: null, codes: ['UNAUTHENTICATED'] });
  });

  it('leaves a full session to the field’s own rule', async () => {
    expect(await run('mutation { updateTenantSettings }', who({}))).toEqual({ data: { updateTenantSettings: 'changed' }, codes: [] });
    expect(await run('mutation { updateTenantSettings }', who({ role: 'MEMBER' }))).toEqual({ data: null, codes: ['FORBIDDEN'] });
  });
});
