import { z } from 'zod';
import { configHelpers, loadConfig, nodeEnv } from '@compliance-graph/config';

const url = z.string().url();

export const gatewayEnv = z.object({
  ...nodeEnv,
  HOST: z.string().default('127.0.0.1'),
  PORT: configHelpers.port(4000),
  ROUTER_SECRET: configHelpers.secret,
  JWT_ISSUER: z.string().default('compliance-graph'),
  JWT_AUDIENCE: z.string().default('compliance-graph'),
  IDENTITY_URL: url.default('http://127.0.0.1:4001'),
  EVIDENCE_URL: url.default('http://127.0.0.1:4002'),
  AUDIT_URL: url.default('http://127.0.0.1:4003'),
  SUBPROCESSORS_URL: url.default('http://127.0.0.1:4004'),
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
});
export type GatewayConfig = z.infer<typeof gatewayEnv>;

export const loadGatewayConfig = (env?: Record<string, string | undefined>) => loadConfig('gateway', gatewayEnv, env);

/** Subgraph name in the supergraph -> configured base URL. */
export const subgraphUrls = (config: GatewayConfig): Record<string, string> => ({
  identity: config.IDENTITY_URL,
  evidence: config.EVIDENCE_URL,
  audit: config.AUDIT_URL,
  subprocessors: config.SUBPROCESSORS_URL,
});
