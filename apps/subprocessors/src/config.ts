import { z } from 'zod';
import { configHelpers, defaultUrl, jwksEnv, loadConfig, outboxEnv, subgraphEnv } from '@compliance-graph/config';

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
