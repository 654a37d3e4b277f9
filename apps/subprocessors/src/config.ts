import { z } from 'zod';
import { jwksEnv, loadConfig, subgraphEnv } from '@compliance-graph/config';

export const subprocessorsEnv = z.object({
  ...subgraphEnv('subprocessors'),
  ...jwksEnv,
});
export type SubprocessorsConfig = z.infer<typeof subprocessorsEnv>;

export const loadSubprocessorsConfig = (env?: Record<string, string | undefined>) =>
  loadConfig('subprocessors', subprocessorsEnv, env);
