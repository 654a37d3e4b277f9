import { randomUUID } from 'node:crypto';
import { SignJWT, UnsecuredJWT, type JWTVerifyGetKey } from 'jose';
import {
  createAccessTokenVerifier,
  generateSigningKey,
  importSigningKey,
  localKeySet,
  signAccessToken,
  type SigningKey,
} from './tokens';
import { PLATFORM_TENANT_ID, type Principal } from './principal';

const audience = { issuer: 'compliance-graph', audience: 'compliance-graph' };
const who: Principal = {
  kind: 'USER',
  subjectId: '6c1c2a52-5a53-4a53-9a1e-0f2b6c1f0a01',
  tenantId: '0b8a4f0e-8d1f-4f43-9f0c-5a8d0f2e9b02',
  role: 'AUDITOR',
  sessionId: 'e3f1b0a4-6f0e-4b8e-8b43-1f9a2c7d3e03',
  scope: 'full',
  mfa: true,
};

describe('access tokens', () => {
  let key: SigningKey;
  let otherKey: SigningKey;
  let verify: ReturnType<typeof createAccessTokenVerifier>;

  beforeAll(async () => {
    key = await importSigningKey(await generateSigningKey());
    otherKey = await importSigningKey(await generateSigningKey());
    verify = createAccessTokenVerifier(localKeySet([key]), audience);
  });

  it('round-trips a principal through a signed token', async () => {
    const { token, expiresAt } = await signAccessToken(key, who, audience, 900);
    await expect(verify(token)).resolves.toEqual(who);
    expect(expiresAt.getTime()).toBeGreaterThan(Date.now() + 890_000);
  });

  it('accepts tokens of every published key (rotation overlap)', async () => {
    const both = createAccessTokenVerifier(localKeySet([key, otherKey]), audience);
    const { token } = await signAccessToken(otherKey, who, audience, 900);
    await expect(both(token)).resolves.toEqual(who);
  });

  const accessClaims = { tid: who.tenantId, role: 'OWNER', kind: 'USER', sid: who.sessionId, typ: 'access', scope: 'full' };
  /** A token signed with the published key whatever its claims, as only a holder of the key could make. */
  const signed = (claims: Record<string, unknown>, typ = 'at+jwt') =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ })
      .setSubject(who.subjectId)
      .setIssuer(audience.issuer)
      .setAudience(audience.audience)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(key.privateKey);

  const rejected = async (token: string) => {
    await expect(verify(token)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  };

  it('rejects an unsigned alg:none token', async () => {
    const token = new UnsecuredJWT({ tid: who.tenantId, role: 'OWNER', kind: 'USER', sid: who.sessionId, typ: 'access', scope: 'full' })
      .setSubject(who.subjectId)
      .setIssuer(audience.issuer)
      .setAudience(audience.audience)
      .setIssuedAt()
      .setExpirationTime('10m')
      .encode();
    await rejected(token);
  });

  it('rejects an expired token', async () => {
    const { token } = await signAccessToken(key, who, audience, -60);
    await rejected(token);
  });

  it('rejects a token signed by a key that is not published', async () => {
    const { token } = await signAccessToken(otherKey, who, audience, 900);
    await rejected(token);
  });

  it('rejects a token for another audience or issuer', async () => {
    await rejected((await signAccessToken(key, who, { ...audience, audience: 'someone-else' }, 900)).token);
    await rejected((await signAccessToken(key, who, { ...audience, issuer: 'evil' }, 900)).token);
  });

  it('rejects a correctly signed JWT that is not an access token', async () => {
    const token = await signed({ ...accessClaims, typ: 'refresh' }, 'JWT');
    await rejected(token);
  });

  it('rejects claims outside the contract (unknown role) and garbage', async () => {
    const token = await signed({ ...accessClaims, role: 'ROOT' });
    await rejected(token);
    await rejected('not.a.token');
  });

  it('never issues nor accepts a token naming the platform audit log as its tenant', async () => {
    await expect(signAccessToken(key, { ...who, tenantId: PLATFORM_TENANT_ID }, audience, 900)).rejects.toThrow('platform audit log');
    const token = await signed({ ...accessClaims, tid: PLATFORM_TENANT_ID });
    await rejected(token);
  });
});

describe('a verifier that remembers verified tokens', () => {
  let key: SigningKey;
  let otherKey: SigningKey;
  /** The keys a verifier currently trusts (a JWKS that rotation can change). */
  let published: SigningKey[];
  /** How many times a verifier looked a key up, that is checked a signature. */
  let signatureChecks: number;
  const keys: JWTVerifyGetKey = (header, token) => {
    signatureChecks += 1;
    return localKeySet(published)(header, token);
  };
  const cache = { max: 2, maxAgeMs: 60_000 };
  const start = new Date('2026-03-01T12:00:00.000Z').getTime();

  beforeAll(async () => {
    key = await importSigningKey(await generateSigningKey());
    otherKey = await importSigningKey(await generateSigningKey());
  });
  beforeEach(() => {
    published = [key];
    signatureChecks = 0;
    // Only the clock is fake (jose and the cache read Date); WebCrypto's promises run as usual.
    jest.useFakeTimers({
      now: start,
      doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'],
    });
  });
  afterEach(() => jest.useRealTimers());

  const verifier = () => createAccessTokenVerifier(keys, audience, { cache });
  const rejectedBy = async (verify: ReturnType<typeof createAccessTokenVerifier>, token: string) => {
    await expect(verify(token)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  };

  it('answers a token it verified without checking the signature again, with a principal no caller can change for another', async () => {
    const verify = verifier();
    const { token } = await signAccessToken(key, who, audience, 900);
    const first = await verify(token);
    first.role = 'OWNER';
    await expect(verify(token)).resolves.toEqual(who);
    await expect(verify(token)).resolves.toEqual(who);
    expect(signatureChecks).toBe(1);
  });

  it('checks and refuses a tampered or badly signed token every time', async () => {
    const verify = verifier();
    const { token } = await signAccessToken(key, who, audience, 900);
    await verify(token);
    const [header, payload, signature] = token.split('.');
    const asOwner = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), role: 'OWNER' })).toString('base64url');
    const tampered = `${header}.${asOwner}.${signature}`;
    const { token: unpublished } = await signAccessToken(otherKey, who, audience, 900);
    for (const bad of [tampered, tampered, unpublished, unpublished]) await rejectedBy(verify, bad);
    expect(signatureChecks).toBe(5);
  });

  it('refuses a remembered token from the millisecond its exp is reached', async () => {
    const verify = verifier();
    const { token, expiresAt } = await signAccessToken(key, who, audience, 30);
    await verify(token);
    jest.setSystemTime(expiresAt.getTime() - 1);
    await expect(verify(token)).resolves.toEqual(who);
    expect(signatureChecks).toBe(1);
    jest.setSystemTime(expiresAt.getTime());
    await rejectedBy(verify, token);
  });

  it('checks the signature again after maxAgeMs, so a token of a key withdrawn from the JWKS is refused by then', async () => {
    const verify = verifier();
    const { token } = await signAccessToken(key, who, audience, 900);
    await verify(token);
    published = [otherKey];
    jest.setSystemTime(start + cache.maxAgeMs - 1);
    await expect(verify(token)).resolves.toEqual(who);
    jest.setSystemTime(start + cache.maxAgeMs);
    await rejectedBy(verify, token);
    expect(signatureChecks).toBe(2);
  });

  it('remembers at most `max` tokens, forgetting the least recently used', async () => {
    const verify = verifier();
    const tokens = await Promise.all([1, 2, 3].map(async () => (await signAccessToken(key, { ...who, sessionId: randomUUID() }, audience, 900)).token));
    for (const token of tokens) await verify(token);
    expect(signatureChecks).toBe(3);
    await verify(tokens[2]!);
    await verify(tokens[1]!);
    expect(signatureChecks).toBe(3);
    await verify(tokens[0]!);
    expect(signatureChecks).toBe(4);
  });
});
