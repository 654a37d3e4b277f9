import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { Logger } from '@compliance-graph/config';
import { withTenant } from '@compliance-graph/db';
import { ConsumerRefused, enqueue, type OutboxConsumer, type OutboxMessage } from '@compliance-graph/outbox';
import { SUBPROCESSOR_EVENT_TOPIC, subprocessorEventSchema, type SubprocessorEvent } from '../subprocessor-event';
import type { IdentityDirectory } from '../identity-directory/identity-directory';
import type { WebhookClient } from './webhook-client';
import { WebhookDeliveryEntity, WebhookDeliveryOutcome } from './webhook-delivery.entity';
import { openWebhookSecret, signatureOf } from './webhook-secret';
import { WebhookSubscriptionEntity } from './webhook-subscription.entity';
import { claimFanout } from './webhook.store';

/** One delivery of one register event to one subscription: an outbox message of its own. */
export const WEBHOOK_DELIVERY_TOPIC = 'webhook_delivery';

interface DeliveryPayload {
  subscriptionId: string;
  event: SubprocessorEvent;
}

export interface WebhookDeliveryOptions {
  secretKey: Buffer;
  client: WebhookClient;
  /** A delivery not accepted this long after its fan-out is given up. */
  retryWindowMs: number;
  /** Whether a subscription's owner (its API key or membership) still stands, asked at each delivery. */
  owners: Pick<IdentityDirectory, 'principal'>;
  logger: Logger;
}

/**
 * The two outbox consumers of webhooks. The fan-out turns a register event into one delivery
 * message per live subscription of the tenant that takes its type, in one transaction with a
 * claim on the event, so a redelivered event (a crash before the relay marked it) adds none.
 * Each delivery then POSTs the event on its own schedule (unordered: one receiver that is down
 * holds back no other), logs every attempt, and is retried by the relay until accepted or
 * until the retry window is over, when it is logged as given up. A crash between the POST and
 * the relay's mark re-delivers; nothing is dropped.
 */
export class WebhookDeliveryService {
  constructor(
    private readonly db: DataSource,
    private readonly options: WebhookDeliveryOptions,
  ) {}

  /**
   * The consumers, for a relay that starts before the service is wired (`service()` returns it
   * once it is; a message that comes earlier fails and is retried).
   */
  static consumersOf(service: () => WebhookDeliveryService, maxBackoffMs: number): OutboxConsumer[] {
    return [
      {
        topic: SUBPROCESSOR_EVENT_TOPIC,
        deliver: async (_topic, messages) => {
          for (const message of messages) await service().fanOut(message);
        },
      },
      {
        topic: WEBHOOK_DELIVERY_TOPIC,
        batchSize: 1,
        ordering: 'none',
        maxBackoffMs,
        // A receiver's 4xx is retried like any failure (the contract: every non-2xx is).
        deliver: async (_topic, [message], signal) => service().deliver(message, signal),
      },
    ];
  }

  async fanOut(message: OutboxMessage): Promise<void> {
    const parsed = subprocessorEventSchema.safeParse(message.payload);
    if (!parsed.success) throw new ConsumerRefused(`register event ${message.id} does not match the event schema`);
    const event = parsed.data;
    await withTenant(this.db, message.tenantId, async (tx) => {
      const subscriptions = await tx
        .createQueryBuilder(WebhookSubscriptionEntity, 's')
        .where('s.deletedAt IS NULL')
        .andWhere(':type = ANY(s.eventTypes)', { type: event.type })
        .orderBy('s.createdAt')
        .getMany();
      if (!(await claimFanout(tx, message.tenantId, event.id, subscriptions.length))) return;
      const occurredAt = new Date().toISOString();
      await enqueue(
        tx,
        'subprocessors',
        ...subscriptions.map(
          (subscription): OutboxMessage<DeliveryPayload> => ({
            id: randomUUID(),
            topic: WEBHOOK_DELIVERY_TOPIC,
            tenantId: message.tenantId,
            occurredAt,
            payload: { subscriptionId: subscription.id, event },
          }),
        ),
      );
    });
  }

  async deliver(message: OutboxMessage, signal?: AbortSignal): Promise<void> {
    const { subscriptionId, event } = message.payload as unknown as DeliveryPayload;
    const subscription = await withTenant(this.db, message.tenantId, (tx) =>
      tx
        .createQueryBuilder(WebhookSubscriptionEntity, 's')
        .addSelect('s.secretSealed')
        .where('s.id = :id', { id: subscriptionId })
        .andWhere('s.deletedAt IS NULL')
        .getOne(),
    );
    // Deleted since the fan-out: nobody is to be told any more.
    if (!subscription?.secretSealed) return;
    // A revoked key or membership gets nothing more; identity not answering is an outage, retried.
    const owner = await this.options.owners.principal(message.tenantId, subscription.ownerKind, subscription.ownerId);
    if (!owner?.active) {
      await withTenant(this.db, message.tenantId, (tx) =>
        this.log(tx, subscription, event, { attemptedAt: new Date(), outcome: WebhookDeliveryOutcome.SKIPPED, httpStatus: null, error: 'owner_inactive', durationMs: 0 }),
      );
      return;
    }
    // Parsing again puts the keys in the contract's order (jsonb keeps its own).
    const body = JSON.stringify(subprocessorEventSchema.parse(event));
    const secret = openWebhookSecret(this.options.secretKey, subscription.id, subscription.secretSealed);
    const attemptedAt = new Date();
    const result = await this.options.client.post(
      subscription.url,
      body,
      { 'x-signature': signatureOf(secret, body), 'x-event-id': event.id, 'x-event-type': event.type },
      signal,
    );
    const accepted = result.status !== null && result.status >= 200 && result.status < 300;
    const expired = Date.now() - Date.parse(message.occurredAt) >= this.options.retryWindowMs;
    const outcome = accepted ? WebhookDeliveryOutcome.DELIVERED : expired ? WebhookDeliveryOutcome.GAVE_UP : WebhookDeliveryOutcome.FAILED;
    await withTenant(this.db, message.tenantId, (tx) =>
      this.log(tx, subscription, event, { attemptedAt, outcome, httpStatus: result.status, error: result.error, durationMs: result.durationMs }),
    );
    if (outcome === WebhookDeliveryOutcome.GAVE_UP) {
      this.options.logger.warn({ tenantId: message.tenantId, subscriptionId, eventId: event.id }, 'webhook delivery given up after the retry window');
    }
    // The relay keeps the message and retries it with backoff; the reason names no URL or secret.
    if (outcome === WebhookDeliveryOutcome.FAILED) throw new Error(`webhook delivery failed: ${result.error ?? `HTTP ${result.status}`}`);
  }

  private async log(
    tx: EntityManager,
    subscription: WebhookSubscriptionEntity,
    event: SubprocessorEvent,
    entry: Pick<WebhookDeliveryEntity, 'attemptedAt' | 'outcome' | 'httpStatus' | 'error' | 'durationMs'>,
  ): Promise<void> {
    const earlier = await tx.countBy(WebhookDeliveryEntity, { subscriptionId: subscription.id, eventId: event.id });
    await tx.insert(WebhookDeliveryEntity, {
      id: randomUUID(),
      tenantId: subscription.tenantId,
      subscriptionId: subscription.id,
      eventId: event.id,
      eventType: event.type,
      attempt: earlier + 1,
      ...entry,
    });
  }
}
