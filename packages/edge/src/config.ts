import { z } from 'zod';
import { SUBGRAPHS, configHelpers, defaultUrl, perSubgraph, urlVariable, type SubgraphName } from '@compliance-graph/config';

const url = z.string().url();

/** IDENTITY_URL, EVIDENCE_URL, ...: each subgraph's base URL, one variable per registered subgraph. */
const subgraphUrlEnv = Object.fromEntries(SUBGRAPHS.map(({ name }) => [urlVariable(name), url.default(defaultUrl(name))])) as {
  [N in SubgraphName as ReturnType<typeof urlVariable<N>>]: z.ZodDefault<z.ZodString>;
};

/**
 * The variables of every gateway that runs the edge (ours and Hive Gateway): one name and one
 * meaning each, spread into each deployable's own zod schema.
 */
export const edgeEnv = {
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
  /** Calibrated on the canonical query fixture (packages/edge/test/canonical-queries.graphql). */
  MAX_COST: z.coerce.number().int().min(1).default(100_000),
  /** Longer than verifyAuditLog takes on the largest log the README measures. */
  SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().min(100).default(120_000),
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  /** A request's headers and body must have arrived within it: a client that trickles its body is cut off with 408. It bounds uploads too (MAX_UPLOAD_BYTES in 60 s is 0.9 MB/s). */
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).default(60_000),
};
export type EdgeConfig = z.infer<z.ZodObject<typeof edgeEnv>>;

/** Subgraph name in the supergraph -> configured base URL. */
export const subgraphUrls = (config: EdgeConfig): Record<string, string> => perSubgraph((name) => config[urlVariable(name)]);
