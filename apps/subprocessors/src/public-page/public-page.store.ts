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

/** What the public register's content at a moment depends on, besides the tenant's name. */
export interface RegisterVersion {
  /** Changes ever announced, cancelled ones, and those in effect: each only grows, so together they name one state. */
  changes: number;
  cancelled: number;
  inEffect: number;
  /** The soonest announced change still to take effect: the version changes then. */
  nextEffectiveAt: Date | null;
}

/**
 * The register's version at `at`, in one aggregate over the tenant's changes: changes are only
 * ever added, cancelled or reached by their effectiveAt, and each of those moves a count, so an
 * unchanged version means unchanged content without computing it (what a feed reader's poll costs).
 */
export async function registerVersion(tx: EntityManager, at: Date): Promise<RegisterVersion> {
  const [row] = await tx.query(
    `SELECT count(*)::int AS changes,
            count(*) FILTER (WHERE status = 'CANCELLED')::int AS cancelled,
            count(*) FILTER (WHERE status <> 'CANCELLED' AND effective_at <= $1)::int AS "inEffect",
            min(effective_at) FILTER (WHERE status = 'ANNOUNCED' AND effective_at > $1) AS "nextEffectiveAt"
       FROM changes`,
    [at],
  );
  return row;
}
