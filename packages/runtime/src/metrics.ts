import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { Logger } from '@compliance-graph/config';
import type { OutboxBacklog, OutboxRelay } from '@compliance-graph/outbox';

/**
 * One registry per running app rather than prom-client's global one: the test stack runs every
 * app in one process, and each must show only its own series.
 */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

export interface MetricsListener {
  /** Base URL of the listener (`/metrics` under it), or undefined when METRICS_PORT is `off`. */
  url: string | undefined;
  stop(): Promise<void>;
}

/**
 * Serves GET /metrics on a listener of its own, never on the app's public port, so the gateway's
 * origin cannot expose it; `port` `off` starts none, 0 takes any free port (tests).
 */
export async function serveMetrics(
  registry: Registry,
  settings: { host: string; port: number | 'off' },
  logger: Logger,
): Promise<MetricsListener> {
  const { host, port } = settings;
  if (port === 'off') return { url: undefined, stop: async () => undefined };
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
      (error) => {
        logger.error({ error }, 'metrics collection failed');
        res.writeHead(500).end();
      },
    );
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  const url = `http://${host}:${(server.address() as AddressInfo).port}`;
  logger.info({ url: `${url}/metrics` }, 'metrics listening');
  return { url, stop: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))) };
}

interface PgPoolCounts {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/** The pg pool behind a TypeORM DataSource (its postgres driver's `master`). */
const pgPool = (db: DataSource): PgPoolCounts | undefined => (db.driver as unknown as { master?: PgPoolCounts }).master;

/** `db_pool_connections{pool, state}`: total, idle and waiting clients of each named pool, read at scrape time. */
export function registerPoolMetrics(registry: Registry, pools: () => Record<string, DataSource | undefined>): void {
  new Gauge({
    name: 'db_pool_connections',
    help: 'Connections of the service’s database pools: total, idle, and requests waiting for one',
    labelNames: ['pool', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [pool, db] of Object.entries(pools())) {
        const counts = db && pgPool(db);
        if (!counts) continue;
        this.set({ pool, state: 'total' }, counts.totalCount);
        this.set({ pool, state: 'idle' }, counts.idleCount);
        this.set({ pool, state: 'waiting' }, counts.waitingCount);
      }
    },
  });
}

/**
 * `outbox_pending_messages`, `outbox_oldest_pending_age_seconds` (0 when none waits) and
 * `outbox_dead_messages`, by topic. The three gauges of one scrape share one backlog query; when
 * it fails they show no samples (and it is logged), rather than failing the whole scrape.
 */
export function registerOutboxMetrics(registry: Registry, relay: Pick<OutboxRelay, 'backlog'>, logger: Logger): void {
  let scrape: { at: number; backlog: Promise<Record<string, OutboxBacklog>> } | undefined;
  const backlog = () => {
    if (!scrape || Date.now() - scrape.at > 1000) {
      const states = relay.backlog().catch((error: unknown) => {
        logger.warn({ error }, 'outbox backlog unavailable for /metrics');
        return {};
      });
      scrape = { at: Date.now(), backlog: states };
    }
    return scrape.backlog;
  };
  const gauge = (name: string, help: string, value: (state: OutboxBacklog) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['topic'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const [topic, state] of Object.entries(await backlog())) this.set({ topic }, value(state));
      },
    });
  gauge('outbox_pending_messages', 'Outbox messages not yet delivered, by topic', (state) => state.pending);
  gauge('outbox_oldest_pending_age_seconds', 'Age of the oldest undelivered outbox message, by topic (0 when none waits)', (state) => state.oldestAgeSeconds ?? 0);
  gauge('outbox_dead_messages', 'Outbox messages set aside after their consumer refused them, by topic', (state) => state.dead);
}
