import { z } from 'zod';
import { GATEWAY, configHelpers, loadConfig, nodeEnv } from '@compliance-graph/config';
import { edgeEnv } from '@compliance-graph/edge';

/** The variables of apps/gateway where they mean the same thing (the edge's, all of them), and nothing else. */
export const hiveGatewayEnv = z.object({
  ...nodeEnv,
  HOST: z.string().default('127.0.0.1'),
  PORT: configHelpers.port(GATEWAY.port),
  ...edgeEnv,
});
export type HiveGatewayConfig = z.infer<typeof hiveGatewayEnv>;

export const loadHiveGatewayConfig = (env?: Record<string, string | undefined>) => loadConfig('hive-gateway', hiveGatewayEnv, env);
