import type { EntityManager } from 'typeorm';
import { WebhookDeliveryEntity } from './webhook-delivery.entity';
import type { WebhookOwnerKind } from './webhook-subscription.entity';

/**
 * Serialises the creations of one owner (transaction-level, so it ends with the transaction and
 * suits a transaction-pooling PgBouncer): the count of live subscriptions and the insert that
 * follows it cannot interleave with another creation's, so the limit holds under parallel requests.
 */
export async function lockOwner(tx: EntityManager, tenantId: string, kind: WebhookOwnerKind, ownerId: string): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`webhook-owner:${tenantId}:${kind}:${ownerId}`]);
}

/** Claims the fan-out of a register event; false when it was fanned out before (a redelivered message). */
export async function claimFanout(tx: EntityManager, tenantId: string, eventId: string, deliveries: number): Promise<boolean> {
  const rows: unknown[] = await tx.query(
    `INSERT INTO webhook_fanouts (event_id, tenant_id, deliveries) VALUES ($1, $2, $3) ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
    [eventId, tenantId, deliveries],
  );
  return rows.length === 1;
}

export interface LastDelivery {
  subscriptionId: string;
  attemptedAt: Date;
  httpStatus: number | null;
}

/** The latest attempt of each subscription (skips are no attempt), in one statement for a page of subscriptions. */
export function lastDeliveries(tx: EntityManager, subscriptionIds: readonly string[]): Promise<LastDelivery[]> {
  return tx.query(
    `SELECT DISTINCT ON (subscription_id) subscription_id AS "subscriptionId", attempted_at AS "attemptedAt", http_status AS "httpStatus"
       FROM webhook_deliveries
      WHERE subscription_id = ANY($1::uuid[]) AND outcome <> 'SKIPPED'
      ORDER BY subscription_id, attempted_at DESC, id DESC`,
    [subscriptionIds],
  );
}

/** A delivery log's position: attempted at, then id (newest first). */
export type DeliveryKey = [string, string];

/**
 * The newest `limit` deliveries of each subscription older than `after`, and each one's total,
 * in two statements for a list of subscriptions whatever its length (rows read whole, not
 * looked up again by an id list that would grow with the page).
 */
export async function deliveryPages(
  tx: EntityManager,
  subscriptionIds: readonly string[],
  after: DeliveryKey | null,
  limit: number,
): Promise<{ rows: WebhookDeliveryEntity[]; totals: Map<string, number> }> {
  const counted: Array<{ subscription_id: string; total: string }> = await tx.query(
    `SELECT subscription_id, count(*) AS total FROM webhook_deliveries WHERE subscription_id = ANY($1::uuid[]) GROUP BY subscription_id`,
    [subscriptionIds],
  );
  const rows: WebhookDeliveryEntity[] = await tx.query(
    `SELECT id, tenant_id AS "tenantId", subscription_id AS "subscriptionId", event_id AS "eventId", event_type AS "eventType", attempt,
            attempted_at AS "attemptedAt", outcome, http_status AS "httpStatus", error, duration_ms AS "durationMs"
       FROM (SELECT *, row_number() OVER (PARTITION BY subscription_id ORDER BY attempted_at DESC, id DESC) AS position
               FROM webhook_deliveries
              WHERE subscription_id = ANY($1::uuid[]) AND ($2::timestamptz IS NULL OR (attempted_at, id) < ($2::timestamptz, $3::uuid))) page
      WHERE position <= $4
      ORDER BY attempted_at DESC, id DESC`,
    [subscriptionIds, after?.[0] ?? null, after?.[1] ?? null, limit],
  );
  return { rows: rows.map((row) => Object.assign(new WebhookDeliveryEntity(), row)), totals: new Map(counted.map((row) => [row.subscription_id, Number(row.total)])) };
}
