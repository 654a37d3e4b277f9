import type { DataSource, EntityManager } from 'typeorm';
import type { AccessReviewItemEntity } from './access-review-item.entity';

type NewItem = Pick<AccessReviewItemEntity, 'id' | 'membershipId' | 'apiKeyId' | 'ownerUserId' | 'roleAtStart' | 'flags' | 'signals'>;

/** Writes a review's scope in one statement whatever its size (ten thousand memberships are one INSERT, not ten). */
export async function insertScope(tx: EntityManager, tenantId: string, reviewId: string, items: readonly NewItem[]): Promise<void> {
  if (items.length === 0) return;
  const column = <T>(pick: (item: NewItem) => T) => items.map(pick);
  await tx.query(
    `INSERT INTO access_review_items (id, tenant_id, review_id, membership_id, api_key_id, owner_user_id, role_at_start, flags, signals)
     SELECT id, $1, $2, membership_id, api_key_id, owner_user_id, role_at_start, string_to_array(flags, ','), signals
       FROM unnest($3::uuid[], $4::uuid[], $5::uuid[], $6::uuid[], $7::text[], $8::text[], $9::jsonb[])
         AS s(id, membership_id, api_key_id, owner_user_id, role_at_start, flags, signals)`,
    [
      tenantId,
      reviewId,
      column((i) => i.id),
      column((i) => i.membershipId),
      column((i) => i.apiKeyId),
      column((i) => i.ownerUserId),
      column((i) => i.roleAtStart),
      column((i) => i.flags.join(',')),
      column((i) => JSON.stringify(i.signals)),
    ],
  );
}

/**
 * Tenants whose schedule is due, oldest slot first: the worker role sees every tenant, and the
 * scheduler then starts each one's review inside that tenant's own transaction.
 */
export async function tenantsWithDueSchedules(workerDb: DataSource, now: Date, limit: number): Promise<string[]> {
  const rows: Array<{ tenant_id: string }> = await workerDb.query(
    `SELECT tenant_id FROM access_review_schedules WHERE next_start_at <= $1 ORDER BY next_start_at LIMIT $2`,
    [now, limit],
  );
  return rows.map((row) => row.tenant_id);
}

/** Reviews in progress past their due date whose default action has not run (or failed) yet. */
export async function reviewsDueForDefaultAction(workerDb: DataSource, now: Date, limit: number): Promise<Array<{ tenantId: string; id: string }>> {
  const rows: Array<{ tenant_id: string; id: string }> = await workerDb.query(
    `SELECT tenant_id, id FROM access_reviews
      WHERE status = 'IN_PROGRESS' AND default_action <> 'NONE' AND default_action_failure IS NULL AND due_at <= $1
      ORDER BY due_at LIMIT $2`,
    [now, limit],
  );
  return rows.map((row) => ({ tenantId: row.tenant_id, id: row.id }));
}
