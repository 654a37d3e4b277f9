import { z } from 'zod';
import { defaultPort, defaultUrl, type SubgraphName } from './services';

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const secret = z.string().min(32, 'must be at least 32 characters');
const csv = z
  .string()
  .default('')
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));

export const nodeEnv = {
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
};

/**
 * Where the service serves Prometheus /metrics: a listener of its own (loopback by default), so
 * nothing reaches it through the public origin. Off unless a port is given (the launcher gives
 * each app one, `metricsPort` in the service registry), so a process started by hand or by a test opens no
 * second fixed port; 0 takes any free port, as PORT does.
 */
export const metricsEnv = {
  METRICS_HOST: z.string().default('127.0.0.1'),
  METRICS_PORT: z.union([z.literal('off'), z.coerce.number().int().min(0).max(65535)]).default('off'),
};

const postgresUrl = z.string().url('must be a postgres:// URL');

/**
 * What every subgraph needs: where it listens, its database, and how it trusts the router.
 * The service logs in as its own two roles (`<schema>_app` for requests, `<schema>_worker` for
 * background jobs), never as the user that runs the migrations.
 */
export const subgraphEnv = (name: SubgraphName) => ({
  ...nodeEnv,
  HOST: z.string().default('127.0.0.1'),
  PORT: port(defaultPort(name)),
  ...metricsEnv,
  DATABASE_URL: postgresUrl,
  DATABASE_WORKER_URL: postgresUrl,
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  ROUTER_SECRET: secret,
  JWT_ISSUER: z.string().default('compliance-graph'),
  JWT_AUDIENCE: z.string().default('compliance-graph'),
});

/** Subgraphs other than identity verify access tokens against identity's published keys. */
export const jwksEnv = {
  IDENTITY_JWKS_URL: z.string().url().default(`${defaultUrl('identity')}/.well-known/jwks.json`),
};

/** Services that write audit events deliver them from their outbox to the audit service. */
export const outboxEnv = {
  AUDIT_URL: z.string().url().default(defaultUrl('audit')),
  INTERNAL_SERVICE_TOKEN: secret,
  OUTBOX_POLL_INTERVAL_MS: z.coerce.number().int().min(10).max(60_000).default(500),
  /** `off` only where no audit service exists (some tests); events then wait in the outbox. */
  OUTBOX_RELAY: z.enum(['on', 'off']).default('on'),
};

export const configHelpers = { port, secret, csv };

/** The parsed shape of `subgraphEnv`, whatever a subgraph adds to it. */
export type SubgraphConfig = z.infer<z.ZodObject<ReturnType<typeof subgraphEnv>>>;
