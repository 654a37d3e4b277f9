import { z } from 'zod';
import { configHelpers, jwksEnv, loadConfig, outboxEnv, subgraphEnv } from '@compliance-graph/config';

const S3_SETTINGS = ['EVIDENCE_S3_BUCKET', 'EVIDENCE_S3_REGION', 'EVIDENCE_S3_ENDPOINT'] as const;
const optionalText = z.string().trim().min(1).optional();

export const evidenceEnv = z
  .object({
    ...subgraphEnv('evidence'),
    ...jwksEnv,
    ...outboxEnv,
    /** JSON array of private Ed25519 JWKs: the first signs proofpacks, all are published (rotation). */
    PROOFPACK_SIGNING_KEYS: z.string().min(1, 'is required (JSON array of private Ed25519 JWKs)'),
    /** How long sealing waits for the audit log to append the tenant's pending events before it answers CONFLICT. */
    PROOFPACK_AUDIT_WAIT_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
    /** The largest proofpack ZIP a seal writes (evidence files are stored uncompressed in it). */
    MAX_PROOFPACK_BYTES: z.coerce.number().int().min(1024).default(10 * 1024 * 1_048_576),
    /** The credential identity's outbox relay presents on the access-review report route (identity's EVIDENCE_REPORT_TOKEN). */
    IDENTITY_REPORT_TOKEN: configHelpers.secret,
    /** The largest upload, as the gateway's own limit of the same name. */
    MAX_UPLOAD_BYTES: z.coerce.number().int().min(1024).default(50 * 1_048_576),
    /** Where uploaded files are kept when no bucket is configured. */
    EVIDENCE_BLOB_DIR: z.string().min(1).default('.data/blobs'),
    /** Uploads go to this S3 bucket instead (with EVIDENCE_S3_REGION; EVIDENCE_S3_ENDPOINT for S3-compatible servers). */
    EVIDENCE_S3_BUCKET: optionalText,
    EVIDENCE_S3_REGION: optionalText,
    EVIDENCE_S3_ENDPOINT: z.string().url().optional(),
    /** An upload no revision claimed within this many hours is removed, and its file with it when nothing else uses it. */
    UPLOAD_RETENTION_HOURS: z.coerce.number().int().min(1).max(24 * 365).default(24),
    /** How often the collector looks for such uploads (0: never). */
    UPLOAD_COLLECTOR_INTERVAL_SECONDS: z.coerce.number().int().min(0).max(86400).default(900),
  })
  .superRefine((env, ctx) => {
    // Half an S3 configuration would silently fall back to local files: refuse it.
    const given = S3_SETTINGS.filter((name) => env[name] !== undefined);
    if (given.length === 0) return;
    for (const name of ['EVIDENCE_S3_BUCKET', 'EVIDENCE_S3_REGION'] as const) {
      if (env[name] === undefined) ctx.addIssue({ code: 'custom', path: [name], message: `is required with ${given.join(', ')}` });
    }
  });
export type EvidenceConfig = z.infer<typeof evidenceEnv>;

export const loadEvidenceConfig = (env?: Record<string, string | undefined>) => loadConfig('evidence', evidenceEnv, env);
