import { LessThanOrEqual, type DataSource } from 'typeorm';
import type { Logger } from '@compliance-graph/config';
import { openServicePool, withTenant } from '@compliance-graph/db';
import type { Clock } from '../clock';
import { subprocessorsEntities } from '../entities';
import type { IdentityDirectory } from '../identity-directory/identity-directory';
import { SubprocessorChangeEntity, SubprocessorChangeStatus } from './change.entity';
import { SYSTEM_CALLER, makeEffective } from './change-transitions';

/** Changes looked at per round: bounds one round's work; the next round takes the rest. */
const BATCH_SIZE = 100;

/**
 * One pass of the scheduler on the worker role's pool (it sees every tenant): every ANNOUNCED
 * change whose effectiveAt has come becomes EFFECTIVE, with its audit event and register event,
 * in a transaction of its own scoped to the change's tenant. The change's row is taken with
 * FOR UPDATE SKIP LOCKED and made effective only while still ANNOUNCED, so two instances (or an
 * announcement catching up) never record one transition twice. The table is the only state: a
 * pass after downtime catches up on everything that came due meanwhile. Answers how many it made effective.
 */
export async function makeDueChangesEffective(workerDb: DataSource, directory: IdentityDirectory, clock: Clock, logger: Logger): Promise<number> {
  let made = 0;
  for (;;) {
    const now = clock();
    const due = await workerDb.getRepository(SubprocessorChangeEntity).find({
      select: { id: true, tenantId: true },
      where: { status: SubprocessorChangeStatus.ANNOUNCED, effectiveAt: LessThanOrEqual(now) },
      order: { effectiveAt: 'ASC', id: 'ASC' },
      take: BATCH_SIZE,
    });
    let taken = 0;
    for (const { id, tenantId } of due) {
      try {
        if (await makeOneEffective(workerDb, directory, id, tenantId, now)) taken++;
      } catch (error) {
        // Nothing of this change was committed: a later pass tries it again; the others go on.
        logger.error({ error, changeId: id }, 'making a subprocessor change effective failed');
      }
    }
    made += taken;
    // Rows another instance holds are skipped, not waited for: it makes them effective.
    if (due.length < BATCH_SIZE || taken === 0) return made;
  }
}

async function makeOneEffective(workerDb: DataSource, directory: IdentityDirectory, id: string, tenantId: string, now: Date): Promise<boolean> {
  const tenant = await directory.tenant(tenantId);
  if (!tenant) throw new Error('identity does not know the tenant of this change');
  return withTenant(workerDb, tenantId, async (tx) => {
    const change = await tx
      .createQueryBuilder(SubprocessorChangeEntity, 'c')
      .where('c.id = :id AND c.status = :status', { id, status: SubprocessorChangeStatus.ANNOUNCED })
      .setLock('pessimistic_write')
      .setOnLocked('skip_locked')
      .getOne();
    return change ? makeEffective(tx, SYSTEM_CALLER, change, tenant.slug, now) : false;
  });
}

export interface ChangeScheduler {
  /** One pass now (tests, and the first pass at start). */
  runOnce(): Promise<number>;
  stop(): Promise<void>;
}

/** Runs `makeDueChangesEffective` at start and every interval (0: never) on a pool of its own, one pass at a time. */
export async function startChangeScheduler(
  settings: { databaseWorkerUrl: string; schema: string; intervalMs: number },
  directory: IdentityDirectory,
  clock: Clock,
  logger: Logger,
): Promise<ChangeScheduler> {
  if (settings.intervalMs === 0) return { runOnce: async () => 0, stop: async () => undefined };
  const workerDb = await openServicePool({
    databaseUrl: settings.databaseWorkerUrl,
    variable: 'DATABASE_WORKER_URL',
    schema: settings.schema,
    role: 'worker',
    entities: subprocessorsEntities,
    poolSize: 1,
  });
  let running: Promise<unknown> = Promise.resolve();
  const pass = async () => {
    try {
      const made = await makeDueChangesEffective(workerDb, directory, clock, logger);
      if (made > 0) logger.info({ made }, 'announced subprocessor changes made effective');
      return made;
    } catch (error) {
      // The next pass retries: nothing was committed for the change that failed.
      logger.error({ error }, 'making subprocessor changes effective failed');
      return 0;
    }
  };
  const runOnce = () => {
    const next = running.then(pass);
    running = next;
    return next;
  };
  void runOnce();
  const timer = setInterval(() => void runOnce(), settings.intervalMs);
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
