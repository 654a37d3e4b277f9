import { createHash, randomBytes, randomUUID } from 'node:crypto';
import {
  generateSigningKey,
  importSigningKey,
  localKeySet,
  signAccessToken,
  createAccessTokenVerifier,
  type Principal,
  type PrivateJwk,
  type Role,
  type SigningKey,
} from '@compliance-graph/auth';

export const TEST_AUDIENCE = { issuer: 'compliance-graph', audience: 'compliance-graph' };

/** ENCRYPTION_KEY of services started by tests (32 bytes, base64); random per test process. */
export const TEST_ENCRYPTION_KEY = randomBytes(32).toString('base64');

/**
 * WEBHOOK_SECRET_KEY of subprocessors services started by tests: one fixed value, because every
 * test process's relay may deliver any subscription of the shared test database.
 */
export const TEST_WEBHOOK_SECRET_KEY = createHash('sha256').update('compliance-graph test webhook key').digest('base64');

export interface TestKeys {
  /** JWT_SIGNING_KEYS for an identity service started by the test. */
  signingKeysJson: string;
  signingKey: SigningKey;
}

let keys: Promise<TestKeys> | undefined;

/** One Ed25519 signing key per test process, shared by identity and the token minter. */
export function testKeys(): Promise<TestKeys> {
  keys ??= (async () => {
    const jwk: PrivateJwk = await generateSigningKey();
    return { signingKeysJson: JSON.stringify([jwk]), signingKey: await importSigningKey(jwk) };
  })();
  return keys;
}

export function principal(tenantId: string, role: Role, overrides: Partial<Principal> = {}): Principal {
  return {
    kind: 'USER',
    subjectId: randomUUID(),
    tenantId,
    role,
    sessionId: randomUUID(),
    scope: 'full',
    mfa: false,
    ...overrides,
  };
}

/** An access token for `who`, signed with the test key, valid for `ttlSeconds`. */
export async function mintToken(who: Principal, ttlSeconds = 900): Promise<string> {
  const { signingKey } = await testKeys();
  return (await signAccessToken(signingKey, who, TEST_AUDIENCE, ttlSeconds)).token;
}

/** Verifies tokens against the test key, as a subgraph configured with it would. */
export async function testTokenVerifier() {
  return createAccessTokenVerifier(localKeySet([(await testKeys()).signingKey]), TEST_AUDIENCE);
}
