import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import express from 'express';
import { z } from 'zod';
import { configHelpers, createLogger, loadConfig, nodeEnv } from '@compliance-graph/config';
import { apiSchemaOf, coprocessorRouter, createEdge, edgeEnv } from '@compliance-graph/edge';
import { listen } from '@compliance-graph/runtime';

/** The edge's variables, where it listens, and the secret the Router's coprocessor URL ends in. */
export const coprocessorEnv = z.object({
  ...nodeEnv,
  HOST: z.string().default('127.0.0.1'),
  PORT: configHelpers.port(4020),
  ...edgeEnv,
  COPROCESSOR_SECRET: configHelpers.secret,
});
export type CoprocessorConfig = z.infer<typeof coprocessorEnv>;

export const loadCoprocessorConfig = (env?: Record<string, string | undefined>) => loadConfig('coprocessor', coprocessorEnv, env);

export interface RunningCoprocessor {
  /** Where the Router's `coprocessor.url` points, without its secret segment. */
  url: string;
  stop(): Promise<void>;
}

/** The edge as an Apollo Router coprocessor (README, "Swapping the gateway"): one POST route, nothing else. */
export async function startCoprocessor(config: CoprocessorConfig): Promise<RunningCoprocessor> {
  const logger = createLogger('coprocessor', config.LOG_LEVEL);
  const app = express();
  app.disable('x-powered-by');
  app.use(
    coprocessorRouter(createEdge(config), {
      secret: config.COPROCESSOR_SECRET,
      routerSecret: config.ROUTER_SECRET,
      schema: apiSchemaOf(readFileSync(config.SUPERGRAPH_PATH, 'utf8')),
      maxBodyBytes: config.MAX_BODY_BYTES,
      logger,
    }),
  );
  const httpServer = createServer({ requestTimeout: config.REQUEST_TIMEOUT_MS }, app);
  const { url } = await listen(httpServer, config.HOST, config.PORT, logger);
  return {
    url,
    async stop() {
      const closed = new Promise((resolve) => httpServer.close(resolve));
      httpServer.closeIdleConnections();
      await closed;
      logger.info('stopped');
    },
  };
}
