import { z } from 'zod';
import { jwksEnv, loadConfig, subgraphEnv } from '@compliance-graph/config';

export const auditEnv = z.object({
  ...subgraphEnv(4003),
  ...jwksEnv,
  /** JSON array of private Ed25519 JWKs; the first signs checkpoints, all are published (rotation). */
  AUDIT_SIGNING_KEYS: z.string().min(1, 'is required (JSON array of private Ed25519 JWKs)'),
  /** The credential services' outbox relays present when delivering audit records. */
  INTERNAL_SERVICE_TOKEN: z.string().min(32, 'must be at least 32 characters'),
  /** How often grown logs get a signed checkpoint without being asked (0: only on demand). */
  AUDIT_CHECKPOINT_INTERVAL_SECONDS: z.coerce.number().int().min(0).max(86400).default(60),
});
export type AuditConfig = z.infer<typeof auditEnv>;

export const loadAuditConfig = (env?: Record<string, string | undefined>) => loadConfig('audit', auditEnv, env);
