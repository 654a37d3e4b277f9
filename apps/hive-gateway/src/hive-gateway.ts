import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import httpTransport from '@graphql-mesh/transport-http';
import { parse } from 'graphql';
import { createLogger } from '@compliance-graph/config';
import { createEdge, unreadySubgraphs } from '@compliance-graph/edge';
import { listen } from '@compliance-graph/runtime';
import type { HiveGatewayConfig } from './config';
import { useEdge, type EdgeContext } from './edge-plugin';

export interface RunningHiveGateway {
  url: string;
  port: number;
  /** Hive Gateway serves no /metrics of ours. */
  metricsUrl: undefined;
  /** Every route it serves, as `GET /healthz`. */
  routes: string[];
  stop(): Promise<void>;
}

const ROUTES = ['ALL /graphql', 'GET /healthz', 'GET /readyz'];

const sendJson = (res: ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));

/** Hive Gateway on the committed supergraph, running our edge as its plugin; /graphql only (README, "Swapping the gateway"). */
export async function startHiveGateway(config: HiveGatewayConfig): Promise<RunningHiveGateway> {
  // The same service name as apps/gateway: it stands in that place, and its logs read alike.
  const logger = createLogger('gateway', config.LOG_LEVEL);
  const production = config.NODE_ENV === 'production';
  const edge = createEdge(config);
  const runtime = createGatewayRuntime<EdgeContext>({
    supergraph: parse(readFileSync(config.SUPERGRAPH_PATH, 'utf8')),
    // The supergraph's URLs are the composition's defaults; the configured ones win.
    // The runtime alone loads no transport: subgraphs are reached over HTTP.
    transports: { http: httpTransport },
    transportEntries: Object.fromEntries(Object.entries(edge.subgraphUrls).map(([name, url]) => [name, { location: `${url}/graphql` }])),
    graphqlEndpoint: '/graphql',
    plugins: () => [useEdge(edge, { logger, maxBodyBytes: config.MAX_BODY_BYTES, hideSchemaDetails: production })],
    // Masking and request ids are the edge's: Hive's own request id would let a client's
    // x-request-id through to the subgraphs.
    maskedErrors: false,
    requestId: false,
    batching: false,
    landingPage: false,
    graphiql: false,
    disableIntrospection: production ? { disableIf: () => true } : undefined,
    upstreamTimeout: config.SUBGRAPH_TIMEOUT_MS,
    logging: false,
  });

  const httpServer = createServer(
    {
      requestTimeout: config.REQUEST_TIMEOUT_MS,
      headersTimeout: config.REQUEST_TIMEOUT_MS,
      // Node looks for expired requests this often (30 s by default, longer than the timeout itself).
      connectionsCheckingInterval: Math.min(1000, config.REQUEST_TIMEOUT_MS),
    },
    (req: IncomingMessage, res: ServerResponse) => {
      const path = new URL(req.url ?? '/', 'http://gateway').pathname;
      if (path === '/graphql') return void runtime(req, res);
      if (req.method === 'GET' && path === '/healthz') return sendJson(res, 200, { status: 'ok', service: 'hive-gateway' });
      if (req.method === 'GET' && path === '/readyz') {
        return void unreadySubgraphs(edge.subgraphUrls).then((unready) =>
          unready.length === 0 ? sendJson(res, 200, { status: 'ready' }) : sendJson(res, 503, { status: 'unavailable', unready }),
        );
      }
      sendJson(res, 404, { error: { code: 'NOT_FOUND', message: 'Not found' } });
    },
  );

  const { url, port } = await listen(httpServer, config.HOST, config.PORT, logger);
  return {
    url,
    port,
    metricsUrl: undefined,
    routes: ROUTES,
    async stop() {
      const closed = new Promise((resolve) => httpServer.close(resolve));
      httpServer.closeIdleConnections();
      await closed;
      await runtime.dispose();
      logger.info('stopped');
    },
  };
}
