import { z } from 'zod';
import { parseEncryptionKey } from '@compliance-graph/auth';
import { configHelpers, defaultUrl, jwksEnv, loadConfig, outboxEnv, subgraphEnv } from '@compliance-graph/config';

const int = (fallback: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(fallback);

export const subprocessorsEnv = z.object({
  ...subgraphEnv('subprocessors'),
  ...jwksEnv,
  ...outboxEnv,
  /** Where identity answers the tenant and principal directory (tenant settings, who a principal is). */
  IDENTITY_URL: z.string().url().default(defaultUrl('identity')),
  /** This service's own credential for identity's directory (identity's SUBPROCESSORS_DIRECTORY_TOKEN). */
  IDENTITY_DIRECTORY_TOKEN: configHelpers.secret,
  /**
   * How often the scheduler looks for announced changes whose effectiveAt has come (it also runs
   * once at start); 0: this instance runs no scheduler (another one does).
   */
  CHANGE_SCHEDULER_INTERVAL_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  /**
   * AES-256-GCM key (base64, 32 bytes) sealing webhook signing secrets, which the server must
   * read back to sign; only this service is given it, so no other process can forge a delivery.
   */
  WEBHOOK_SECRET_KEY: z.string().transform((text, ctx) => {
    try {
      return parseEncryptionKey(text);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message.replace('ENCRYPTION_KEY', 'the key') });
      return z.NEVER;
    }
  }),
  /** How long a receiver may take to answer a delivery, headers and body. */
  WEBHOOK_TIMEOUT_MS: int(10_000, 100, 60_000),
  /** A receiver's answer beyond this many bytes is cut off and the delivery counts as failed. */
  WEBHOOK_MAX_RESPONSE_BYTES: int(64 * 1024, 0, 10 * 1_048_576),
  /** A delivery not accepted within this window after the event is given up (and logged as such). */
  WEBHOOK_RETRY_WINDOW_SECONDS: int(24 * 3600, 1, 7 * 24 * 3600),
  /** Ceiling of the wait between two attempts of one delivery. */
  WEBHOOK_MAX_BACKOFF_MS: int(3_600_000, 100, 24 * 3_600_000),
  /** The origin clients reach the gateway at: the public feed's absolute links (its self link, the page). */
  PUBLIC_ORIGIN: z
    .string()
    .url()
    .default(defaultUrl('gateway'))
    .transform((url) => new URL(url).origin),
});
export type SubprocessorsConfig = z.infer<typeof subprocessorsEnv>;

export const loadSubprocessorsConfig = (env?: Record<string, string | undefined>) =>
  loadConfig('subprocessors', subprocessorsEnv, env);
