import type { DataSource } from 'typeorm';
import type { Logger } from '@compliance-graph/config';
import type { LogService } from '../log/log.service';

/**
 * Signs a checkpoint for every tenant whose log grew since its last one, periodically, so a
 * tenant always has a recent signed tree head even if nobody asks. Runs as the audit worker
 * role (it visits every tenant), one tenant per transaction.
 */
export function startCheckpointer(workerDb: DataSource, log: LogService, intervalSeconds: number, logger: Logger): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  const round = async () => {
    const grown: Array<{ tenant_id: string; size: string }> = await workerDb.query(
      `SELECT h.tenant_id, h.size FROM audit.log_heads h
        WHERE h.size > COALESCE((SELECT max(c.tree_size) FROM audit.checkpoints c WHERE c.tenant_id = h.tenant_id), 0)`,
    );
    for (const head of grown) {
      await workerDb.transaction((tx) => log.checkpointAt(tx, head.tenant_id, Number(head.size)));
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
