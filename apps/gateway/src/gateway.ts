import { readFileSync } from 'node:fs';
import { createServer, type ServerOptions } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import express from 'express';
import { ApolloGateway, type GraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { createLogger } from '@compliance-graph/config';
import { createEdge, fromTrustedProxy, unreadySubgraphs } from '@compliance-graph/edge';
import { createMetricsRegistry, errorLoggingPlugin, jsonBody, jsonErrorHandler, listen, requestIdOf, requestScope, serveMetrics, withHttpStatus } from '@compliance-graph/runtime';
import type { GatewayConfig } from './config';
import type { GatewayContext } from './context';
import { edgeOperationPlugin } from './edge-plugin';
import { mountRouteProxies } from './route-proxy';
import { createSubgraphClient } from './subgraph-client';
import { SubgraphDataSource } from './subgraph-data-source';
import { gatewayMetrics } from './gateway-metrics';
import { securityHeaders } from './security-headers';

export interface RunningGateway {
  url: string;
  port: number;
  /** Base URL of the /metrics listener (its own port, never the public one); undefined when METRICS_PORT is `off`. */
  metricsUrl: string | undefined;
  /** Every route it serves, as `GET /healthz` (or `ALL /graphql` for a mounted path), read from its router. */
  routes: string[];
  stop(): Promise<void>;
}

interface RouterLayer {
  rawPath?: string;
  route?: { methods: Record<string, boolean> };
}

/** Read from Express itself, so a route mounted anywhere is listed (the isolation matrix needs a policy row for each). */
function servedRoutes(app: express.Express): string[] {
  const layers = (app as unknown as { router: { stack: RouterLayer[] } }).router.stack;
  const routes = layers.flatMap((layer) => {
    if (!layer.rawPath || layer.rawPath === '/') return [];
    if (!layer.route) return [`ALL ${layer.rawPath}`];
    return Object.keys(layer.route.methods).map((method) => `${method.toUpperCase()} ${layer.rawPath}`);
  });
  return [...new Set(routes)].sort();
}

export interface GatewayOptions {
  /** How the gateway reaches the subgraph `name`; over HTTP (SubgraphDataSource) unless given, e.g. InProcessSubgraphSource. */
  subgraphSource?: (name: string) => GraphQLDataSource<GatewayContext>;
}

/** The one origin clients talk to: the composed graph plus the contract's HTTP routes. */
export async function startGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<RunningGateway> {
  const logger = createLogger('gateway', config.LOG_LEVEL);
  const production = config.NODE_ENV === 'production';
  const edge = createEdge(config);
  const urls = edge.subgraphUrls;
  const metricsRegistry = createMetricsRegistry('gateway');
  const metrics = gatewayMetrics(metricsRegistry);
  const subgraphClient = createSubgraphClient({ timeoutMs: config.SUBGRAPH_TIMEOUT_MS, timeFetch: metrics.timeFetch, countMerged: metrics.countMerged });

  const gateway = new ApolloGateway({
    supergraphSdl: readFileSync(config.SUPERGRAPH_PATH, 'utf8'),
    buildService: ({ name }) => {
      if (options.subgraphSource) return options.subgraphSource(name);
      if (!urls[name]) throw new Error(`supergraph names subgraph "${name}", which has no configured URL`);
      return new SubgraphDataSource(name, `${urls[name]}/graphql`, config.ROUTER_SECRET, subgraphClient);
    },
  });

  const app = express();
  app.disable('x-powered-by');
  const tls =
    config.TLS_CERT_FILE && config.TLS_KEY_FILE ? { cert: readFileSync(config.TLS_CERT_FILE), key: readFileSync(config.TLS_KEY_FILE) } : undefined;
  app.use(securityHeaders({ tls: tls !== undefined, production }));
  const serverOptions: ServerOptions = {
    requestTimeout: config.REQUEST_TIMEOUT_MS,
    headersTimeout: config.REQUEST_TIMEOUT_MS,
    // Node looks for expired requests this often (30 s by default, longer than the timeout itself).
    connectionsCheckingInterval: Math.min(1000, config.REQUEST_TIMEOUT_MS),
  };
  const httpServer = tls ? createTlsServer({ ...serverOptions, ...tls }, app) : createServer(serverOptions, app);
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    includeStacktraceInErrorResponses: false,
    introspection: !production,
    // Without it, "Did you mean …?" suggestions in validation errors reveal field names.
    hideSchemaDetailsFromClientErrors: production,
    csrfPrevention: true,
    // Shutdown is ours (runService / the launcher); Apollo's own handler would race it.
    stopOnTerminationSignals: false,
    formatError: (formatted) => edge.maskError(formatted),
    parseOptions: { maxTokens: edge.maxTokens },
    validationRules: edge.validationRules,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      edgeOperationPlugin(edge),
      errorLoggingPlugin<GatewayContext>(logger),
      metrics.plugin,
      ...(production ? [ApolloServerPluginLandingPageDisabled()] : []),
    ],
  });
  await apollo.start();

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', service: 'gateway' });
  });
  app.get('/readyz', async (_req, res) => {
    const unready = await unreadySubgraphs(urls);
    if (unready.length === 0) res.json({ status: 'ready' });
    else res.status(503).json({ status: 'unavailable', unready });
  });
  app.use(requestScope({ continuesTrace: (req) => fromTrustedProxy(req, config.TRUSTED_PROXIES) }));
  const routeProxies = mountRouteProxies(app, {
    subgraphUrls: urls,
    routerSecret: config.ROUTER_SECRET,
    trustedProxies: config.TRUSTED_PROXIES,
    edge: edge.authentication,
    maxUploadBytes: config.MAX_UPLOAD_BYTES,
    timeoutMs: config.ROUTE_PROXY_TIMEOUT_MS,
    logger,
  });
  app.use(
    '/graphql',
    jsonBody(config.MAX_BODY_BYTES),
    expressMiddleware(apollo, {
      context: async ({ req, res }): Promise<GatewayContext> => {
        try {
          const credentials = await edge.authenticate(req.headers.authorization);
          return {
            ...credentials,
            clientIp: edge.clientAddress(req),
            userAgent: req.headers['user-agent'],
            requestId: requestIdOf(res),
          };
        } catch (error) {
          throw withHttpStatus(error);
        }
      },
    }),
  );
  app.use(jsonErrorHandler);

  const { url, port } = await listen(httpServer, config.HOST, config.PORT, logger);
  const metricsListener = await serveMetrics(metricsRegistry, { host: config.METRICS_HOST, port: config.METRICS_PORT }, logger);
  return {
    url,
    port,
    metricsUrl: metricsListener.url,
    routes: servedRoutes(app),
    async stop() {
      // Apollo's stop drains the HTTP server first, so no request or proxied route is still using a subgraph connection.
      await apollo.stop();
      await subgraphClient.close();
      await routeProxies.close();
      await metricsListener.stop();
      logger.info('stopped');
    },
  };
}
