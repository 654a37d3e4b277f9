import type { DataSource } from 'typeorm';
import type { Logger } from '@compliance-graph/config';
import type { LogService } from '../log/log.service';
import { logsGrownSinceCheckpoint } from './checkpoint.store';

/**
 * Signs a checkpoint for every tenant whose log grew since its last one, periodically, so a
 * tenant always has a recent signed tree head even if nobody asks. Runs as the audit worker
 * role (it visits every tenant), one tenant per transaction.
 */
export function startCheckpointer(workerDb: DataSource, log: LogService, intervalSeconds: number, logger: Logger): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  const round = async () => {
    const grown = await logsGrownSinceCheckpoint(workerDb);
    for (const head of grown) {
      await workerDb.transaction((tx) => log.checkpointAt(tx, head.tenantId, head.size));
    }
    if (grown.length > 0) logger.info({ tenants: grown.length }, 'checkpoints signed');
  };
  const timer = setInterval(() => {
    running = running.then(round).catch((error) => logger.error({ error }, 'checkpoint round failed'));
  }, intervalSeconds * 1000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
