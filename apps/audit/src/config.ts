import { z } from 'zod';
import { configHelpers, jwksEnv, loadConfig, subgraphEnv } from '@compliance-graph/config';

export const auditEnv = z.object({
  ...subgraphEnv('audit'),
  ...jwksEnv,
  /** JSON array of private Ed25519 JWKs; the first signs checkpoints, all are published (rotation). */
  AUDIT_SIGNING_KEYS: z.string().min(1, 'is required (JSON array of private Ed25519 JWKs)'),
  /**
   * JSON object: producing service -> the credential its outbox relay presents, e.g.
   * `{"identity": "…"}`. A batch is accepted only with records of the service whose credential it carries.
   */
  INGEST_CREDENTIALS: z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON object of service name -> credential' });
        return z.NEVER;
      }
    })
    .pipe(z.record(z.string().min(1), configHelpers.secret).refine((credentials) => Object.keys(credentials).length > 0, 'names no producer')),
  /** How often grown logs get a signed checkpoint without being asked (0: only on demand). */
  AUDIT_CHECKPOINT_INTERVAL_SECONDS: z.coerce.number().int().min(0).max(86400).default(60),
});
export type AuditConfig = z.infer<typeof auditEnv>;

export const loadAuditConfig = (env?: Record<string, string | undefined>) => loadConfig('audit', auditEnv, env);
