import type { DataSource } from 'typeorm';
import type { Logger } from '@compliance-graph/config';
import type { LogService } from '../log/log.service';
import { logsGrownSinceCheckpoint } from './checkpoint.store';

/**
 * Signs a checkpoint for every tenant whose log grew since its last one, so a tenant always has
 * a recent signed tree head even if nobody asks. Runs as the audit worker role (it visits every
 * tenant), one tenant per transaction.
 */
export async function checkpointGrownLogs(workerDb: DataSource, log: LogService, logger: Logger): Promise<void> {
  const grown = await logsGrownSinceCheckpoint(workerDb);
  for (const head of grown) {
    await workerDb.transaction((tx) => log.checkpointAt(tx, head.tenantId, head.size));
  }
  if (grown.length > 0) logger.info({ tenants: grown.length }, 'checkpoints signed');
}
