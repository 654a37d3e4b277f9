import type { EntityManager } from 'typeorm';
import type { WebhookDeliveryOutcome } from '../webhook/webhook-delivery.entity';
import type { WebhookOwnerKind } from '../webhook/webhook-subscription.entity';

export interface NoticeDeliveryRow {
  eventId: string;
  subscriptionId: string;
  url: string;
  ownerKind: WebhookOwnerKind;
  ownerId: string;
  attempt: number;
  attemptedAt: Date;
  outcome: WebhookDeliveryOutcome;
  httpStatus: number | null;
}

/** Every logged attempt of the given events, with its subscription, in one statement for any number of events. */
export function deliveriesOfEvents(tx: EntityManager, eventIds: readonly string[]): Promise<NoticeDeliveryRow[]> {
  return tx.query(
    `SELECT d.event_id AS "eventId", d.subscription_id AS "subscriptionId", s.url, s.owner_kind AS "ownerKind", s.owner_id AS "ownerId",
            d.attempt, d.attempted_at AS "attemptedAt", d.outcome, d.http_status AS "httpStatus"
       FROM webhook_deliveries d
       JOIN webhook_subscriptions s ON s.tenant_id = d.tenant_id AND s.id = d.subscription_id
      WHERE d.event_id = ANY($1::uuid[])
      ORDER BY d.attempted_at, d.id`,
    [eventIds],
  );
}

/** How many subscriptions each event was fanned out to, for those whose fan-out has run. */
export async function fanoutSizes(tx: EntityManager, eventIds: readonly string[]): Promise<Map<string, number>> {
  const rows: Array<{ eventId: string; deliveries: number }> = await tx.query(
    `SELECT event_id AS "eventId", deliveries FROM webhook_fanouts WHERE event_id = ANY($1::uuid[])`,
    [eventIds],
  );
  return new Map(rows.map((row) => [row.eventId, row.deliveries]));
}
