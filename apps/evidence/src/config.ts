import { z } from 'zod';
import { jwksEnv, loadConfig, outboxEnv, subgraphEnv } from '@compliance-graph/config';

export const evidenceEnv = z.object({ ...subgraphEnv('evidence'), ...jwksEnv, ...outboxEnv });
export type EvidenceConfig = z.infer<typeof evidenceEnv>;

export const loadEvidenceConfig = (env?: Record<string, string | undefined>) => loadConfig('evidence', evidenceEnv, env);
