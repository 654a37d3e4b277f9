import { createHash } from 'node:crypto';
import {
  SignJWT,
  jwtVerify,
  createLocalJWKSet,
  createRemoteJWKSet,
  importJWK,
  exportJWK,
  generateKeyPair,
  calculateJwkThumbprint,
  type JWK,
  type JWTVerifyGetKey,
} from 'jose';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { unauthenticated } from './errors';
import { PLATFORM_TENANT_ID, PRINCIPAL_KINDS, ROLES, TOKEN_SCOPES, type Principal } from './principal';

export const ACCESS_TOKEN_ALGORITHM = 'EdDSA';
/** RFC 9068 header type; a refresh token or any other JWT of ours cannot pass as an access token. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';

export interface TokenAudience {
  issuer: string;
  audience: string;
}

/** A private Ed25519 JWK with its key id, as configured in JWT_SIGNING_KEYS. */
export type PrivateJwk = JWK & { kid: string; d: string };

/** The private half of a signing key, as jose holds it. */
type PrivateKey = Parameters<SignJWT['sign']>[0];

export interface SigningKey {
  kid: string;
  privateKey: PrivateKey;
  publicJwk: JWK & { kid: string; alg: string; use: string };
}

const claimsSchema = z.object({
  sub: z.string().uuid(),
  tid: z
    .string()
    .uuid()
    .refine((tid) => tid !== PLATFORM_TENANT_ID, 'names the platform log, not a tenant'),
  role: z.enum(ROLES),
  kind: z.enum(PRINCIPAL_KINDS),
  sid: z.string().uuid(),
  typ: z.literal('access'),
  scope: z.enum(TOKEN_SCOPES),
  amr: z.array(z.string()).default([]),
});

export async function generateSigningKey(): Promise<PrivateJwk> {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: await calculateJwkThumbprint(jwk), d: jwk.d! };
}

export async function importSigningKey(jwk: PrivateJwk): Promise<SigningKey> {
  const privateKey = (await importJWK({ ...jwk, alg: ACCESS_TOKEN_ALGORITHM }, ACCESS_TOKEN_ALGORITHM)) as PrivateKey;
  const { kty, crv, x } = jwk;
  return { kid: jwk.kid, privateKey, publicJwk: { kty, crv, x, kid: jwk.kid, alg: ACCESS_TOKEN_ALGORITHM, use: 'sig' } };
}

/** Parses JWT_SIGNING_KEYS: a JSON array of private Ed25519 JWKs, the first one signs. */
export function parseSigningKeys(json: string): PrivateJwk[] {
  const parsed = z
    .array(z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string(), d: z.string(), kid: z.string().min(1) }))
    .min(1)
    .parse(JSON.parse(json));
  return parsed as PrivateJwk[];
}

export function publicJwks(keys: SigningKey[]): { keys: SigningKey['publicJwk'][] } {
  return { keys: keys.map((k) => k.publicJwk) };
}

export async function signAccessToken(
  key: SigningKey,
  principal: Principal,
  audience: TokenAudience,
  ttlSeconds: number,
): Promise<{ token: string; expiresAt: Date }> {
  if (principal.tenantId === PLATFORM_TENANT_ID) throw new Error('no token is issued for the platform audit log');
  const now = Math.floor(Date.now() / 1000);
  const expiresAt = new Date((now + ttlSeconds) * 1000);
  const token = await new SignJWT({
    tid: principal.tenantId,
    role: principal.role,
    kind: principal.kind,
    sid: principal.sessionId,
    typ: 'access',
    scope: principal.scope,
    amr: principal.mfa ? ['pwd', 'otp'] : ['pwd'],
  })
    .setProtectedHeader({ alg: ACCESS_TOKEN_ALGORITHM, kid: key.kid, typ: ACCESS_TOKEN_TYPE })
    .setSubject(principal.subjectId)
    .setIssuer(audience.issuer)
    .setAudience(audience.audience)
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds)
    .sign(key.privateKey);
  return { token, expiresAt };
}

export type AccessTokenVerifier = (token: string) => Promise<Principal>;

/** How a verifier remembers the tokens it verified (see createAccessTokenVerifier). */
export interface VerifiedTokenCache {
  /** Most tokens remembered at once; the least recently used go first. */
  max: number;
  /**
   * Longest a verification is trusted before the signature is checked again, however far the
   * token's exp: how much longer than without the cache a token signed by a key withdrawn from
   * the JWKS can stay accepted.
   */
  maxAgeMs: number;
}

/**
 * What the gateway's edge and each subgraph remember. A minute adds at most a minute to the ten a withdrawn key already
 * stays accepted while the remote JWKS is cached (remoteKeySet), and still spares the signature
 * check on every request but the first of a minute for an active caller; ten thousand entries
 * of a digest and a flat principal are a few megabytes.
 */
export const VERIFIED_TOKEN_CACHE: VerifiedTokenCache = { max: 10_000, maxAgeMs: 60_000 };

interface VerifiedToken {
  principal: Principal;
  /** The token's exp in milliseconds: jose accepts it while Date.now() is below this. */
  expiresAtMs: number;
}

/**
 * Verifies an access token and turns its claims into a Principal. Any failure (bad signature,
 * other algorithm, wrong issuer/audience/type, expired, malformed claims) is the same
 * UNAUTHENTICATED answer, so a client learns nothing from the difference. With `cache`, a token
 * that verified is answered from memory until its exp or the cache's maxAgeMs, whichever comes
 * first; one that failed is verified (and refused) again every time.
 */
export function createAccessTokenVerifier(
  keys: JWTVerifyGetKey,
  audience: TokenAudience,
  options: { cache?: VerifiedTokenCache } = {},
): AccessTokenVerifier {
  const verify = (token: string) => verifyAccessToken(token, keys, audience);
  if (!options.cache) return async (token) => (await verify(token)).principal;
  return rememberingVerified(verify, options.cache);
}

async function verifyAccessToken(token: string, keys: JWTVerifyGetKey, audience: TokenAudience): Promise<VerifiedToken> {
  try {
    const { payload } = await jwtVerify(token, keys, {
      algorithms: [ACCESS_TOKEN_ALGORITHM],
      issuer: audience.issuer,
      audience: audience.audience,
      typ: ACCESS_TOKEN_TYPE,
      requiredClaims: ['exp', 'iat', 'sub'],
    });
    const claims = claimsSchema.parse(payload);
    return {
      principal: {
        kind: claims.kind,
        subjectId: claims.sub,
        tenantId: claims.tid,
        role: claims.role,
        sessionId: claims.sid,
        scope: claims.scope,
        mfa: claims.amr.includes('otp'),
      },
      expiresAtMs: payload.exp! * 1000,
    };
  } catch {
    throw unauthenticated('Invalid or expired credentials');
  }
}

function rememberingVerified(verify: (token: string) => Promise<VerifiedToken>, cache: VerifiedTokenCache): AccessTokenVerifier {
  // Keyed by digest, so the cache holds no bearer credential and short keys.
  const verified = new LRUCache<string, { principal: Principal; trustedUntilMs: number }>({ max: cache.max });
  // A Principal's fields are all primitives: a spread is a full copy no request can change for another.
  const copy = (principal: Principal): Principal => ({ ...principal });
  return async (token) => {
    const digest = createHash('sha256').update(token).digest('base64url');
    const hit = verified.get(digest);
    if (hit && Date.now() < hit.trustedUntilMs) return copy(hit.principal);
    const { principal, expiresAtMs } = await verify(token);
    verified.set(digest, { principal, trustedUntilMs: Math.min(expiresAtMs, Date.now() + cache.maxAgeMs) });
    return copy(principal);
  };
}

/** Identity's published keys, fetched once and refreshed on an unknown kid (rotation). */
export function remoteKeySet(jwksUrl: string): JWTVerifyGetKey {
  return createRemoteJWKSet(new URL(jwksUrl), { cacheMaxAge: 10 * 60_000, cooldownDuration: 30_000 });
}

export function localKeySet(keys: SigningKey[]): JWTVerifyGetKey {
  return createLocalJWKSet(publicJwks(keys));
}

/** The bearer token of an Authorization header, or undefined when there is none. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw unauthenticated('Malformed Authorization header');
  return match[1];
}
