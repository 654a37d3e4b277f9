import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import type { GraphQLSchema } from 'graphql';
import {
  CodedError,
  ROUTER_SECRET_HEADER,
  bearerToken,
  matchesSecret,
  type AccessTokenVerifier,
  type Principal,
} from '@compliance-graph/auth';
import { createLogger, stopSignal, type Logger } from '@compliance-graph/config';
import type { RequestContext } from './context';
import { isPublicError, jsonErrorHandler, maskError, originalError } from './errors';
import { principalChangeAlonePlugin } from './principal-change';

export const REQUEST_ID_HEADER = 'x-request-id';
const REQUEST_ID = /^[A-Za-z0-9-]{8,64}$/;

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

export interface ContextInput {
  principal?: Principal;
  fromRouter?: boolean;
  clientIp?: string | null;
  userAgent?: string | null;
  requestId?: string;
}

export interface RunningSubgraph<Loaders> {
  url: string;
  port: number;
  apollo: ApolloServer<RequestContext<Loaders>>;
  /** Builds a request context as the HTTP path would, for in-process operations in tests. */
  contextFor(input: ContextInput): RequestContext<Loaders>;
  stop(): Promise<void>;
}

const header = (value: string | string[] | undefined) => (typeof value === 'string' ? value : undefined);

/** What the gateway forwards with a request: the caller's token (verified here), its client and the request id. */
export type ForwardedRequest = Omit<ContextInput, 'fromRouter'>;

/**
 * Reads a request the gateway forwarded, for /graphql and a service's own HTTP routes alike:
 * the principal of its bearer token (a bad token throws its coded error; no token, none), the
 * client address the gateway put first in X-Forwarded-For, the user agent and a well-formed
 * request id. Whether it came from the gateway at all is the caller's check (router secret).
 */
export async function forwardedRequest(req: IncomingMessage, verifyAccessToken: AccessTokenVerifier): Promise<ForwardedRequest> {
  const token = bearerToken(header(req.headers.authorization));
  const requestId = header(req.headers[REQUEST_ID_HEADER]);
  return {
    principal: token ? await verifyAccessToken(token) : undefined,
    clientIp: header(req.headers['x-forwarded-for'])?.split(',')[0]?.trim() || null,
    userAgent: header(req.headers['user-agent']) ?? null,
    requestId: requestId && REQUEST_ID.test(requestId) ? requestId : undefined,
  };
}

/** Logs every error a client will only see as INTERNAL_SERVER_ERROR, with the request id. */
export function errorLoggingPlugin<C extends { requestId: string }>(logger: Logger): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue, operationName }) {
          for (const error of errors) {
            if (isPublicError({ message: error.message, extensions: error.extensions })) continue;
            logger.error('unexpected error', {
              requestId: contextValue.requestId,
              operationName,
              path: error.path,
              error: originalError(error),
            });
          }
        },
      };
    },
  };
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
    // Shutdown is ours (stopOnSignals / the launcher); Apollo's own handler would race it.
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
      logger.warn('not ready', { error });
      res.status(503).json({ status: 'unavailable', service: options.service });
    }
  });
  options.routes?.(app);

  app.use('/graphql', (req, res, next) => {
    if (matchesSecret(req.headers[ROUTER_SECRET_HEADER], options.routerSecret)) return next();
    res.status(403).json({ errors: [{ message: 'Subgraphs answer the gateway only', extensions: { code: 'FORBIDDEN' } }] });
  });
  app.use(
    '/graphql',
    express.json({ limit: options.maxBodyBytes ?? 1_000_000 }),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        try {
          return contextFor({ ...(await forwardedRequest(req, options.verifyAccessToken)), fromRouter: true });
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
    async stop() {
      await apollo.stop();
      await options.onStop?.();
      logger.info('stopped');
    },
  };
}

/**
 * A coded error thrown while building a request's context: Apollo answers it with the status
 * in `extensions.http` (and strips that extension from the response).
 */
export function withHttpStatus(error: unknown): unknown {
  if (error instanceof CodedError) error.extensions.http = { status: error.httpStatus };
  return error;
}

/** Listens (port 0 picks a free one) and says where. */
export async function listen(httpServer: Server, host: string, port: number, logger: Logger): Promise<{ url: string; port: number }> {
  await new Promise<void>((resolve) => httpServer.listen(port, host, resolve));
  const bound = (httpServer.address() as AddressInfo).port;
  const url = `http://${host}:${bound}`;
  logger.info('listening', { url: `${url}/graphql` });
  return { url, port: bound };
}

/** Stops the service cleanly on a stop signal (Ctrl-C, container stop, terminal closed). */
export function stopOnSignals(stop: () => Promise<void>, logger: Logger): void {
  stopSignal((signal) => {
    logger.info('shutting down', { signal });
    stop()
      .then(() => process.exit(0))
      .catch((error) => {
        logger.error('shutdown failed', { error });
        process.exit(1);
      });
  });
}

/** The body of every subgraph's main.ts: start, stop cleanly on signals, fail loudly. */
export function runService(service: string, start: () => Promise<{ stop(): Promise<void> }>): void {
  const logger = createLogger(service);
  start()
    .then((running) => stopOnSignals(running.stop, logger))
    .catch((error) => {
      logger.error('failed to start', { error });
      process.exit(1);
    });
}
