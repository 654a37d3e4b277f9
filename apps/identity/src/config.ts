import { z } from 'zod';
import { configHelpers, defaultUrl, loadConfig, outboxEnv, subgraphEnv } from '@compliance-graph/config';

const seconds = (fallback: number, max: number) => z.coerce.number().int().min(1).max(max).default(fallback);

export const identityEnv = z.object({
  ...subgraphEnv('identity'),
  ...outboxEnv,
  /** Where the outbox relay delivers completed access reviews' reports (the evidence service). */
  EVIDENCE_URL: z.string().url().default(defaultUrl('evidence')),
  /** Identity's own credential for evidence's report route: not the audit ingest's, which evidence must never hold. */
  EVIDENCE_REPORT_TOKEN: configHelpers.secret,
  /** The subprocessors service's credential for the tenant and principal directory (its IDENTITY_DIRECTORY_TOKEN); unset: nobody may ask. */
  SUBPROCESSORS_DIRECTORY_TOKEN: configHelpers.secret.optional(),
  /** JSON array of private Ed25519 JWKs; the first signs, all are published (rotation). */
  JWT_SIGNING_KEYS: z.string().min(1, 'is required (JSON array of private Ed25519 JWKs)'),
  /** AES-256-GCM key (base64, 32 bytes) sealing the TOTP seeds the server must read back. */
  ENCRYPTION_KEY: z.string().min(1, 'is required (base64 of 32 random bytes)'),
  ACCESS_TOKEN_TTL_SECONDS: seconds(900, 3600),
  REFRESH_TOKEN_TTL_SECONDS: seconds(30 * 86400, 365 * 86400),
  INVITATION_TTL_SECONDS: seconds(7 * 86400, 90 * 86400),
  /** How recent a sign-in must be to start or confirm TOTP enrolment or regenerate recovery codes. */
  RECENT_SIGN_IN_SECONDS: seconds(600, 86400),
  /** Failed logins per tenant slug + email within the window before throttling starts. */
  LOGIN_THROTTLE_ACCOUNT_LIMIT: z.coerce.number().int().min(1).default(5),
  /** Failed logins per client address within the window before throttling starts. */
  LOGIN_THROTTLE_ADDRESS_LIMIT: z.coerce.number().int().min(1).default(50),
  /** Attempts per user (every tenant, every path that checks a password or code) before throttling. */
  LOGIN_THROTTLE_USER_LIMIT: z.coerce.number().int().min(1).default(10),
  /** Sign-ups per client address within the window before throttling. */
  SIGNUP_THROTTLE_ADDRESS_LIMIT: z.coerce.number().int().min(1).default(20),
  LOGIN_THROTTLE_WINDOW_SECONDS: seconds(900, 86400),
  /** First block after the limit; each further failure doubles it, up to the window. */
  LOGIN_THROTTLE_BASE_SECONDS: seconds(30, 3600),
});
export type IdentityConfig = z.infer<typeof identityEnv>;

export const loadIdentityConfig = (env?: Record<string, string | undefined>) => loadConfig('identity', identityEnv, env);
