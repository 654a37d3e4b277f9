import type { EntityManager } from 'typeorm';

/**
 * The tenant's audit events still in this service's outbox, up to `upToPosition` (all when
 * null): what the audit log has not appended yet. `lastPosition` bounds a wait, so events
 * enqueued meanwhile by other requests do not prolong it.
 */
export async function auditBacklog(tx: EntityManager, upToPosition: string | null): Promise<{ lastPosition: string | null; pending: number; dead: number }> {
  const [row]: Array<{ last: string | null; pending: number; dead: number }> = await tx.query(
    `SELECT max(position)::text AS last, count(*) FILTER (WHERE dead_at IS NULL)::int AS pending, count(*) FILTER (WHERE dead_at IS NOT NULL)::int AS dead
       FROM outbox WHERE topic = 'audit' AND delivered_at IS NULL AND ($1::bigint IS NULL OR position <= $1::bigint)`,
    [upToPosition],
  );
  return { lastPosition: row.last, pending: row.pending, dead: row.dead };
}
