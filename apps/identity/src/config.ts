import { z } from 'zod';
import { loadConfig, subgraphEnv } from '@compliance-graph/config';

export const identityEnv = z.object({
  ...subgraphEnv(4001),
  /** JSON array of private Ed25519 JWKs; the first signs, all are published (rotation). */
  JWT_SIGNING_KEYS: z.string().min(1, 'is required (JSON array of private Ed25519 JWKs)'),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(900),
});
export type IdentityConfig = z.infer<typeof identityEnv>;

export const loadIdentityConfig = (env?: Record<string, string | undefined>) => loadConfig('identity', identityEnv, env);
