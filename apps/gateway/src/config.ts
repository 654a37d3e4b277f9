import { z } from 'zod';
import { GATEWAY, configHelpers, loadConfig, metricsEnv, nodeEnv } from '@compliance-graph/config';
import { edgeEnv } from '@compliance-graph/edge';

export const gatewayEnv = z.object({
  ...nodeEnv,
  HOST: z.string().default('127.0.0.1'),
  PORT: configHelpers.port(GATEWAY.port),
  ...metricsEnv,
  ...edgeEnv,
  MAX_UPLOAD_BYTES: z.coerce.number().int().min(1024).default(50 * 1_048_576),
  /**
   * How long a proxied route's subgraph may be silent: before its answer's headers (once the body
   * is sent) and between chunks of its answer. Those routes answer after a query or two, so 30 s
   * only trips on a wedged subgraph, and a 504 reaches the client before a load balancer's usual
   * 60 s idle timeout gives up on it.
   */
  ROUTE_PROXY_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
});
export type GatewayConfig = z.infer<typeof gatewayEnv>;

export const loadGatewayConfig = (env?: Record<string, string | undefined>) => loadConfig('gateway', gatewayEnv, env);
