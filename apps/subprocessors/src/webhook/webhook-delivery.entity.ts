import { Column, Entity, PrimaryColumn } from 'typeorm';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';

export enum WebhookDeliveryOutcome {
  /** The receiver answered 2xx. */
  DELIVERED = 'DELIVERED',
  /** Not accepted (non-2xx, timeout, refused address, answer too large); retried with backoff. */
  FAILED = 'FAILED',
  /** The last failed attempt, after the retry window: no more attempts. */
  GAVE_UP = 'GAVE_UP',
  /** Not attempted: the subscription's owner (API key or membership) is no longer active. */
  SKIPPED = 'SKIPPED',
}
registerEnumType(WebhookDeliveryOutcome, { name: 'WebhookDeliveryOutcome' });

/** One entry of a subscription's delivery log. */
@ObjectType('WebhookDelivery')
@Entity({ name: 'webhook_deliveries' })
export class WebhookDeliveryEntity {
  @Field(() => ID)
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @Column('uuid', { name: 'subscription_id' })
  subscriptionId!: string;

  @Field(() => ID, { description: 'the event id, as in X-Event-Id: the same for every attempt' })
  @Column('uuid', { name: 'event_id' })
  eventId!: string;

  @Field()
  @Column('text', { name: 'event_type' })
  eventType!: string;

  @Field(() => Int, { description: '1 for the first attempt of this event to this subscription' })
  @Column('integer')
  attempt!: number;

  @Field({ description: 'when the attempt started' })
  @Column('timestamptz', { name: 'attempted_at' })
  attemptedAt!: Date;

  @Field(() => WebhookDeliveryOutcome)
  @Column('text')
  outcome!: WebhookDeliveryOutcome;

  @Field(() => Int, { nullable: true, description: "the receiver's HTTP status; null when there was no complete answer" })
  @Column('integer', { name: 'http_status', nullable: true })
  httpStatus!: number | null;

  @Field(() => String, { nullable: true, description: 'timeout, refused, address_refused, dns, tls, network, too_large, owner_inactive' })
  @Column('text', { nullable: true })
  error!: string | null;

  @Field(() => Int)
  @Column('integer', { name: 'duration_ms' })
  durationMs!: number;
}
