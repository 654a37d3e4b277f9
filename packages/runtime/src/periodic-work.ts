import type { DataSource, EntitySchema, MixedList } from 'typeorm';
import type { Logger } from '@compliance-graph/config';
import { openServicePool } from '@compliance-graph/db';

export interface PeriodicWorkSettings {
  /** Names the work in log lines. */
  name: string;
  databaseWorkerUrl: string;
  schema: string;
  /** 0: the work does not run. */
  intervalMs: number;
  /** The first pass at start too, not only after the first interval (catching up after downtime). */
  runAtStart?: boolean;
  /** Entities the work reads through TypeORM's repositories (none when it uses its store's SQL). */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities?: MixedList<Function | string | EntitySchema>;
  logger: Logger;
}

export interface PeriodicWork {
  /** Runs one pass now, after the one in progress (tests and shutdown use it). */
  runOnce(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A service's background work (checkpoints, collection, schedules): a pass every interval on a
 * pool of its own as the schema's worker role, one pass at a time, a failed pass logged and
 * retried at the next interval. The work keeps its state in its tables, never in the process,
 * so a restart resumes where the last committed pass left off.
 */
export async function startPeriodicWork(settings: PeriodicWorkSettings, pass: (workerDb: DataSource, logger: Logger) => Promise<void>): Promise<PeriodicWork> {
  if (settings.intervalMs === 0) return { runOnce: async () => undefined, stop: async () => undefined };
  const workerDb = await openServicePool({
    databaseUrl: settings.databaseWorkerUrl,
    variable: 'DATABASE_WORKER_URL',
    schema: settings.schema,
    role: 'worker',
    entities: settings.entities,
    poolSize: 1,
  });
  const logger = settings.logger.child({ component: settings.name });
  let running: Promise<void> = Promise.resolve();
  const runOnce = () => {
    running = running.then(() => pass(workerDb, logger)).catch((error) => logger.error({ error }, `${settings.name} failed`));
    return running;
  };
  if (settings.runAtStart) void runOnce();
  const timer = setInterval(runOnce, settings.intervalMs);
  timer.unref();
  return {
    runOnce,
    async stop() {
      clearInterval(timer);
      await running;
      await workerDb.destroy();
    },
  };
}
