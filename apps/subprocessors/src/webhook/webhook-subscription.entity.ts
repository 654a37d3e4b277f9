import { Column, Entity, PrimaryColumn } from 'typeorm';
import { Field, ID, ObjectType } from 'type-graphql';

export type WebhookOwnerKind = 'USER' | 'API_KEY';

/** A partner's (or an admin's) subscription to the tenant's register events. */
@ObjectType('WebhookSubscription')
@Entity({ name: 'webhook_subscriptions' })
export class WebhookSubscriptionEntity {
  @Field(() => ID)
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId!: string;

  /** The principal that created it: a member (USER, its user id) or an API key (its id). */
  @Column('text', { name: 'owner_kind' })
  ownerKind!: WebhookOwnerKind;

  @Column('uuid', { name: 'owner_id' })
  ownerId!: string;

  @Field()
  @Column('text')
  url!: string;

  @Field(() => [String], { description: '"subprocessor.change_announced", "subprocessor.change_effective", "subprocessor.change_cancelled"' })
  @Column('text', { name: 'event_types', array: true })
  eventTypes!: string[];

  /** The signing secret sealed with WEBHOOK_SECRET_KEY (context `webhook:<id>`); null once deleted. */
  @Column('text', { name: 'secret_sealed', nullable: true, select: false })
  secretSealed!: string | null;

  @Field()
  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'deleted_at', nullable: true })
  deletedAt!: Date | null;
}
