import { decodeProtectedHeader } from 'jose';
import { generateSigningKey } from '@compliance-graph/auth';
import { closeAdmin, createTenant, signIn, testKeys, type TestTenant } from '@compliance-graph/testing';
import { signUp } from './accounts';
import { graphqlClient } from './graphql-client';
import { startStack, type Stack } from './stack';

/**
 * Key rotation: identity signs with the first configured key and publishes all of them, so
 * tokens signed with the previous key keep working through the overlap.
 */
describe('identity: signing key rotation', () => {
  let stack: Stack;
  let tenant: TestTenant;
  let previousKid: string;
  let newKid: string;

  beforeAll(async () => {
    const previous = JSON.parse((await testKeys()).signingKeysJson)[0];
    const next = await generateSigningKey();
    previousKid = previous.kid;
    newKid = next.kid;
    stack = await startStack({ JWT_SIGNING_KEYS: JSON.stringify([next, previous]) });
    tenant = await createTenant();
  });
  afterAll(async () => {
    await stack.stop();
    await closeAdmin();
  });

  it('publishes both keys, public halves only', async () => {
    const jwks = (await (await fetch(`${stack.gatewayUrl}/.well-known/jwks.json`)).json()) as { keys: Array<Record<string, string>> };
    expect(jwks.keys.map((k) => k.kid)).toEqual([newKid, previousKid]);
    for (const key of jwks.keys) expect(key.d).toBeUndefined();
  });

  it('signs new tokens with the new key and still accepts tokens of the previous one', async () => {
    const gql = graphqlClient(stack.gatewayUrl);
    const issued = (await signUp(gql, 'Rotated')).accessToken;
    expect(decodeProtectedHeader(issued).kid).toBe(newKid);
    expect((await gql('{ viewer { role } }', {}, issued)).data.viewer.role).toBe('OWNER');

    const { token: previous } = await signIn(tenant.tenantId, tenant.owner);
    expect(decodeProtectedHeader(previous).kid).toBe(previousKid);
    expect((await gql('{ viewer { role } }', {}, previous)).data.viewer.role).toBe('OWNER');
  });
});
