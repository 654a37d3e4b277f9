import { z } from 'zod';
import { GATEWAY, SUBGRAPHS, configHelpers, defaultUrl, loadConfig, metricsEnv, nodeEnv, perSubgraph, urlVariable, type SubgraphName } from '@compliance-graph/config';

const url = z.string().url();

/** IDENTITY_URL, EVIDENCE_URL, ...: each subgraph's base URL, one variable per registered subgraph. */
const subgraphUrlEnv = Object.fromEntries(SUBGRAPHS.map(({ name }) => [urlVariable(name), url.default(defaultUrl(name))])) as {
  [N in SubgraphName as ReturnType<typeof urlVariable<N>>]: z.ZodDefault<z.ZodString>;
};

const optionalPath = z.string().min(1).optional();
const TLS_FILES = ['TLS_CERT_FILE', 'TLS_KEY_FILE'] as const;

export const gatewayEnv = z
  .object({
    ...nodeEnv,
    HOST: z.string().default('127.0.0.1'),
    PORT: configHelpers.port(GATEWAY.port),
    ...metricsEnv,
    ROUTER_SECRET: configHelpers.secret,
    JWT_ISSUER: z.string().default('compliance-graph'),
    JWT_AUDIENCE: z.string().default('compliance-graph'),
    ...subgraphUrlEnv,
    SUPERGRAPH_PATH: z.string().default('supergraph.graphql'),
    /** Addresses of reverse proxies in front of the gateway whose X-Forwarded-For is believed. */
    TRUSTED_PROXIES: configHelpers.csv,
    /** How long the gateway trusts identity's answer that a session stands (revocation bites within it). */
    SESSION_CHECK_TTL_MS: z.coerce.number().int().min(0).max(5000).default(5000),
    MAX_DEPTH: z.coerce.number().int().min(1).default(12),
    MAX_ALIASES: z.coerce.number().int().min(0).default(15),
    MAX_TOKENS: z.coerce.number().int().min(100).default(4000),
    MAX_DIRECTIVES: z.coerce.number().int().min(0).default(10),
    /** Calibrated on the canonical query fixture (apps/gateway/test/canonical-queries.graphql). */
    MAX_COST: z.coerce.number().int().min(1).default(100_000),
    /** Longer than verifyAuditLog takes on the largest log the README measures. */
    SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().min(100).default(120_000),
    MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
    /** A request's headers and body must have arrived within it: a client that trickles its body is cut off with 408. It bounds uploads too (MAX_UPLOAD_BYTES in 60 s is 0.9 MB/s). */
    REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).default(60_000),
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

/** Subgraph name in the supergraph -> configured base URL. */
export const subgraphUrls = (config: GatewayConfig): Record<string, string> => perSubgraph((name) => config[urlVariable(name)]);
