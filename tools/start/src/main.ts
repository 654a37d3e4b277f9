// The app packages imported for their migrations declare decorated classes, which need this first.
import 'reflect-metadata';
import { once } from 'node:events';
import { stopSignal } from '@compliance-graph/config';
import { loadStartConfig, type StartConfig } from './config';
import { startDatabase } from './database';
import { isDescribedFailure } from './launch-error';
import { createLauncherLog, type LauncherLog } from './log';
import { migrateAll } from './migrations';
import { resolveDeploymentSecrets } from './secrets';
import { gatewayEnv, subgraphEnv } from './service-env';
import { ServiceGroup } from './service-group';
import { gateway, subgraphs } from './services';
import { Teardown } from './teardown';

// Longer than Apollo's drain grace period (10 s), so a service with requests in flight can finish them.
const SERVICE_STOP_GRACE_MS = 15_000;

/**
 * Starts everything `npm start` promises, registering each part with `teardown` as it comes up,
 * then runs until a stop signal (resolves) or a service exiting on its own (rejects).
 */
async function launch(config: StartConfig, log: LauncherLog, teardown: Teardown, shutdown: AbortSignal) {
  const database = await startDatabase(config, log);
  teardown.add('the database', database.stop);
  shutdown.throwIfAborted();

  const secrets = await resolveDeploymentSecrets(config, log);
  const subgraphList = subgraphs(config);
  await migrateAll(database.url, subgraphList, log, secrets.DATABASE_ROLE_SECRET);
  shutdown.throwIfAborted();

  const services = new ServiceGroup(log, shutdown);
  teardown.add('the services', () => services.stop(SERVICE_STOP_GRACE_MS));
  const readyTimeoutMs = config.READY_TIMEOUT_SECONDS * 1000;
  // The gateway sends every request on to the subgraphs, so it opens once all four are ready.
  await services.start(subgraphList, (subgraph) => subgraphEnv(config, database.url, secrets, subgraph), readyTimeoutMs);
  const gatewayService = gateway(config);
  await services.start([gatewayService], () => gatewayEnv(secrets, gatewayService, subgraphList), readyTimeoutMs);

  shutdown.throwIfAborted();
  process.stdout.write(`Compliance Graph is ready: ${gatewayService.url}/graphql\n`);
  await Promise.race([services.unexpectedExit, once(shutdown, 'abort')]);
}

async function main(): Promise<number> {
  let log = createLauncherLog('info');
  const shutdown = stopSignal((signal) => log.info(`${signal} received, stopping`));
  const teardown = new Teardown();
  let exitCode = 0;
  try {
    const config = loadStartConfig();
    log = createLauncherLog(config.LOG_LEVEL);
    await launch(config, log, teardown, shutdown);
  } catch (error) {
    // After a stop signal, whatever was starting fails on its way down; that is not news.
    if (!shutdown.aborted) {
      exitCode = 1;
      if (isDescribedFailure(error)) log.error(error.message);
      else log.error({ error }, 'start failed');
      log.error('stopping everything');
    }
  }
  if (!(await teardown.run(log))) exitCode = 1;
  log.info('stopped');
  return exitCode;
}

void main().then((exitCode) => process.exit(exitCode));
