import { z } from 'zod';
import { GATEWAY, configHelpers, loadConfig, metricsEnv, nodeEnv } from '@compliance-graph/config';
import { edgeEnv } from '@compliance-graph/edge';

const optionalPath = z.string().min(1).optional();
const TLS_FILES = ['TLS_CERT_FILE', 'TLS_KEY_FILE'] as const;

export const gatewayEnv = z
  .object({
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
    /** PEM certificate chain and private key: with both, the gateway serves HTTPS itself (deployments without a TLS-terminating ingress). */
    TLS_CERT_FILE: optionalPath,
    TLS_KEY_FILE: optionalPath,
  })
  .superRefine((env, ctx) => {
    // Half a TLS configuration would silently serve plain HTTP: refuse it.
    const [given, ...others] = TLS_FILES.filter((name) => env[name] !== undefined);
    if (given === undefined || others.length > 0) return;
    const missing = TLS_FILES.find((name) => name !== given)!;
    ctx.addIssue({ code: 'custom', path: [missing], message: `is required with ${given}` });
  });
export type GatewayConfig = z.infer<typeof gatewayEnv>;

export const loadGatewayConfig = (env?: Record<string, string | undefined>) => loadConfig('gateway', gatewayEnv, env);
