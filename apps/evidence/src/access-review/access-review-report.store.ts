import type { EntityManager } from 'typeorm';

/**
 * Serialises the deliveries of one review's report: a relay that gave up waiting delivers again
 * while the first delivery may still be recording, and only one of them may. Transaction-level,
 * so it is released at commit or rollback.
 */
export async function lockAccessReview(tx: EntityManager, reviewId: string): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(hashtext('access-review-report:' || $1))`, [reviewId]);
}
