import type { EntityManager } from 'typeorm';
import { SubprocessorChangeEntity } from '../change/change.entity';

/**
 * When a change last changed status as of `at`: cancelled, in effect once its time has come
 * (whether or not the scheduler has marked it yet: the register computed at `at` already shows
 * it), otherwise announced. The feed orders by it and Last-Modified is its maximum.
 */
const STATUS_CHANGED_AT = 'COALESCE(c.cancelled_at, CASE WHEN c.effective_at <= :at THEN c.effective_at ELSE c.announced_at END)';

/** The tenant's latest `limit` changes by status change, all statuses (RLS keeps it to the transaction's tenant). */
export function latestChanges(tx: EntityManager, at: Date, limit: number): Promise<SubprocessorChangeEntity[]> {
  return tx
    .createQueryBuilder(SubprocessorChangeEntity, 'c')
    .where('c.announcedAt <= :at', { at })
    .orderBy(STATUS_CHANGED_AT, 'DESC')
    .addOrderBy('c.id', 'DESC')
    .limit(limit)
    .getMany();
}
