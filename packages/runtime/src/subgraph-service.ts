import type { Express } from 'express';
import type { GraphQLSchema } from 'graphql';
import type { JWTVerifyGetKey } from 'jose';
import type { Registry } from 'prom-client';
import type { DataSource, EntitySchema, MixedList } from 'typeorm';
import { createAccessTokenVerifier, VERIFIED_TOKEN_CACHE, type AccessTokenVerifier, type Principal } from '@compliance-graph/auth';
import { createLogger, type Logger, type SubgraphConfig } from '@compliance-graph/config';
import { openServicePool } from '@compliance-graph/db';
import { startOutboxRelay, type OutboxConsumer, type OutboxRelay } from '@compliance-graph/outbox';
import { createMetricsRegistry, registerOutboxMetrics, registerPoolMetrics, serveMetrics } from './metrics';
import { startSubgraphServer, type RunningSubgraph } from './subgraph-server';

export interface SubgraphWiring<Loaders> {
  schema: GraphQLSchema;
  createLoaders: (principal: Principal | undefined) => Loaders;
  /** HTTP routes of the service besides /graphql. */
  routes?: (app: Express) => void;
  /** Stops the service's own background work (before the pools close). */
  onStop?: () => Promise<void>;
}

export interface SubgraphServiceDefinition<Loaders> {
  service: string;
  /** The Postgres schema the service owns. */
  databaseSchema: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  /** Keys that verify access tokens: identity's own, or identity's JWKS for the others. */
  tokenKeys: JWTVerifyGetKey;
  /**
   * Delivers the service's outbox to its consumers, one per topic, from a pool of its own as
   * the schema's worker role; the backlog of each topic shows in /readyz.
   */
  outbox?: { consumers: readonly OutboxConsumer[]; pollIntervalMs: number };
  /** Builds schema, loaders and routes on the service's request pool. */
  wire(
    db: DataSource,
    tools: { verifyAccessToken: AccessTokenVerifier; logger: Logger; /** The service's /metrics registry, for its own series. */ metrics: Registry },
  ): Promise<SubgraphWiring<Loaders>>;
}

export type RunningSubgraphService<Loaders> = RunningSubgraph<Loaders> & {
  /** Base URL of the /metrics listener; undefined when METRICS_PORT is `off`. */
  metricsUrl: string | undefined;
};

/**
 * What every subgraph does to start: a request pool as the schema's app role, token
 * verification, the server, readiness on the database, /metrics on a listener of its own, and a
 * stop that closes the pool last.
 */
export async function startSubgraphService<Loaders>(
  config: SubgraphConfig,
  definition: SubgraphServiceDefinition<Loaders>,
): Promise<RunningSubgraphService<Loaders>> {
  const db = await openServicePool({
    databaseUrl: config.DATABASE_URL,
    variable: 'DATABASE_URL',
    schema: definition.databaseSchema,
    role: 'app',
    entities: definition.entities,
    poolSize: config.DATABASE_POOL_SIZE,
  });
  const logger = createLogger(definition.service, config.LOG_LEVEL);
  const metrics = createMetricsRegistry(definition.service);
  const relay = definition.outbox ? await startRelay(config, definition, definition.outbox, logger) : undefined;
  registerPoolMetrics(metrics, () => ({ request: db, worker: relay?.workerDb }));
  if (relay) registerOutboxMetrics(metrics, relay, logger);
  const metricsListener = await serveMetrics(metrics, { host: config.METRICS_HOST, port: config.METRICS_PORT }, logger);
  const verifyAccessToken = createAccessTokenVerifier(
    definition.tokenKeys,
    { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE },
    { cache: VERIFIED_TOKEN_CACHE },
  );
  try {
    const wiring = await definition.wire(db, { verifyAccessToken, logger, metrics });
    const running = await startSubgraphServer({
      service: definition.service,
      schema: wiring.schema,
      host: config.HOST,
      port: config.PORT,
      routerSecret: config.ROUTER_SECRET,
      verifyAccessToken,
      logger,
      production: config.NODE_ENV === 'production',
      checkReadiness: async () => {
        await db.query('SELECT 1');
        return relay ? { outbox: await relay.backlog() } : undefined;
      },
      createLoaders: wiring.createLoaders,
      routes: wiring.routes,
      onStop: async () => {
        await wiring.onStop?.();
        await metricsListener.stop();
        await relay?.stop();
        await db.destroy();
      },
    });
    return Object.assign(running, { metricsUrl: metricsListener.url });
  } catch (error) {
    await metricsListener.stop();
    await relay?.stop();
    await db.destroy();
    throw error;
  }
}


async function startRelay(
  config: SubgraphConfig,
  definition: { databaseSchema: string },
  outbox: { consumers: readonly OutboxConsumer[]; pollIntervalMs: number },
  logger: Logger,
): Promise<OutboxRelay & { workerDb: DataSource }> {
  const workerDb = await openServicePool({
    databaseUrl: config.DATABASE_WORKER_URL,
    variable: 'DATABASE_WORKER_URL',
    schema: definition.databaseSchema,
    role: 'worker',
    poolSize: 2,
  });
  const relay = startOutboxRelay({
    dataSource: workerDb,
    schema: definition.databaseSchema,
    consumers: outbox.consumers,
    pollIntervalMs: outbox.pollIntervalMs,
    logger,
  });
  return {
    workerDb,
    backlog: () => relay.backlog(),
    drain: () => relay.drain(),
    stop: async () => {
      await relay.stop();
      await workerDb.destroy();
    },
  };
}
