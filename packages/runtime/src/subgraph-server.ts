import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import express, { type Express } from 'express';
import { ApolloServer, type GraphQLRequest, type GraphQLResponse } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import type { GraphQLSchema } from 'graphql';
import { ROUTER_SECRET_HEADER, forbidden, matchesSecret, type AccessTokenVerifier, type Principal } from '@compliance-graph/auth';
import type { Logger } from '@compliance-graph/config';
import { maskError, principalChangeAlonePlugin, type RequestContext } from '@compliance-graph/federation';
import { errorLoggingPlugin } from './error-logging';
import { forwardedRequest, forwardedRequestId, type ForwardedRequest } from './forwarded-request';
import { jsonBody, jsonErrorHandler, listen, withHttpStatus } from './http';
import { requestIdOf, requestScope } from './tracing';

export interface SubgraphServerOptions<Loaders> {
  service: string;
  schema: GraphQLSchema;
  host: string;
  port: number;
  routerSecret: string;
  verifyAccessToken: AccessTokenVerifier;
  logger: Logger;
  production: boolean;
  /** Resolves (with details for the probe) when the service can serve; rejects otherwise. */
  checkReadiness: () => Promise<Record<string, unknown> | void>;
  createLoaders: (principal: Principal | undefined) => Loaders;
  /** Extra HTTP routes of the service (JWKS, exports, uploads), mounted before /graphql. */
  routes?: (app: Express) => void;
  /** Releases what the service holds (pools, timers) after the HTTP server drained. */
  onStop?: () => Promise<void>;
  maxBodyBytes?: number;
}

const ONLY_THE_GATEWAY = 'Subgraphs answer the gateway only';

export interface ContextInput extends ForwardedRequest {
  fromRouter?: boolean;
}

export interface RunningSubgraph<Loaders> {
  url: string;
  port: number;
  apollo: ApolloServer<RequestContext<Loaders>>;
  /** Builds a request context as the HTTP path would, for in-process operations in tests. */
  contextFor(input: ContextInput): RequestContext<Loaders>;
  /**
   * One /graphql request without HTTP, checked and given its context as the HTTP path does
   * (router secret, token, forwarded client): a gateway executing its subgraphs in its own
   * process sends its requests here.
   */
  executeForwarded(request: GraphQLRequest, headers: IncomingHttpHeaders): Promise<GraphQLResponse>;
  stop(): Promise<void>;
}

/**
 * Starts one subgraph: Apollo Server 5 on express behind a router-secret check, with health
 * and readiness probes, coded-error masking, per-request context and graceful shutdown.
 */
export async function startSubgraphServer<Loaders>(options: SubgraphServerOptions<Loaders>): Promise<RunningSubgraph<Loaders>> {
  const { logger } = options;
  const app = express();
  app.disable('x-powered-by');
  const httpServer: Server = createServer(app);

  const contextFor = (input: ContextInput): RequestContext<Loaders> => {
    const requestId = input.requestId ?? randomUUID();
    return {
      principal: input.principal,
      fromRouter: input.fromRouter ?? false,
      requestId,
      logger: logger.child({ requestId }),
      clientIp: input.clientIp ?? null,
      userAgent: input.userAgent ?? null,
      loaders: options.createLoaders(input.principal),
    };
  };

  const apollo = new ApolloServer<RequestContext<Loaders>>({
    schema: options.schema,
    includeStacktraceInErrorResponses: false,
    introspection: !options.production,
    csrfPrevention: true,
    // Shutdown is ours (runService / the launcher); Apollo's own handler would race it.
    stopOnTerminationSignals: false,
    formatError: (formatted) => maskError(formatted),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // Traces would tell a caller how long our resolvers took; nothing reads them here.
      ApolloServerPluginInlineTraceDisabled(),
      principalChangeAlonePlugin<RequestContext<Loaders>>(),
      errorLoggingPlugin<RequestContext<Loaders>>(logger),
    ],
  });
  await apollo.start();

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', service: options.service });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      const details = await options.checkReadiness();
      res.json({ status: 'ready', service: options.service, ...details });
    } catch (error) {
      logger.warn({ error }, 'not ready');
      res.status(503).json({ status: 'unavailable', service: options.service });
    }
  });
  // A subgraph listens for the gateway and the services' relays only, and a traceparent grants
  // nothing: the caller's trace is continued (the gateway is where an outside one is refused).
  app.use(requestScope({ requestIdOf: forwardedRequestId, continuesTrace: () => true }));
  options.routes?.(app);

  const fromGateway = (headers: IncomingHttpHeaders) => matchesSecret(headers[ROUTER_SECRET_HEADER], options.routerSecret);
  app.use('/graphql', (req, res, next) => {
    if (fromGateway(req.headers)) return next();
    res.status(403).json({ errors: [{ message: ONLY_THE_GATEWAY, extensions: { code: 'FORBIDDEN' } }] });
  });
  app.use(
    '/graphql',
    jsonBody(options.maxBodyBytes ?? 1_000_000),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        try {
          return contextFor({ ...(await forwardedRequest(req, options.verifyAccessToken)), requestId: requestIdOf(res), fromRouter: true });
        } catch (error) {
          throw withHttpStatus(error);
        }
      },
    }),
  );
  app.use(jsonErrorHandler);

  const { url, port } = await listen(httpServer, options.host, options.port, logger);

  return {
    url,
    port,
    apollo,
    contextFor,
    async executeForwarded(request, headers) {
      if (!fromGateway(headers)) throw forbidden(ONLY_THE_GATEWAY);
      const forwarded = await forwardedRequest({ headers }, options.verifyAccessToken);
      return apollo.executeOperation(request, { contextValue: contextFor({ ...forwarded, fromRouter: true }) });
    },
    async stop() {
      await apollo.stop();
      await options.onStop?.();
      logger.info('stopped');
    },
  };
}
