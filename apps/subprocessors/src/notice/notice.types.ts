import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { WebhookDeliveryOutcome } from '../webhook/webhook-delivery.entity';

/** One attempt to tell a subscription of the announcement, as its delivery log has it. */
@ObjectType('SubprocessorNoticeDelivery')
export class SubprocessorNoticeDelivery {
  @Field(() => ID)
  subscriptionId!: string;

  @Field({ description: 'the URL the announcement was posted to' })
  url!: string;

  @Field(() => String, { nullable: true, description: "the subscription owner's name as identity knows it now (API key name or member display name); null when identity no longer knows it" })
  ownerName!: string | null;

  @Field(() => Int, { description: '1 for the first attempt to this subscription' })
  attempt!: number;

  @Field()
  attemptedAt!: Date;

  @Field(() => WebhookDeliveryOutcome)
  outcome!: WebhookDeliveryOutcome;

  @Field(() => Int, { nullable: true, description: "the receiver's HTTP status; null when there was no complete answer" })
  httpStatus!: number | null;

  ownerKind!: 'USER' | 'API_KEY';
  ownerId!: string;
}

/**
 * Proof that an announced change was notified: when it was announced and every webhook delivery
 * attempt of its announcement event. The audit subgraph adds the audit event and its inclusion proof.
 */
@Directive('@key(fields: "changeId")')
@ObjectType('SubprocessorChangeNotice')
export class SubprocessorChangeNotice {
  @Field(() => ID)
  changeId!: string;

  @Field()
  announcedAt!: Date;

  tenantId!: string;
  /** The announcement's register event, whose deliveries are the notice's. */
  eventId!: string | null;

  static of(change: { id: string; tenantId: string; announcedAt: Date; announcementEventId: string | null }): SubprocessorChangeNotice {
    return Object.assign(new SubprocessorChangeNotice(), {
      changeId: change.id,
      announcedAt: change.announcedAt,
      tenantId: change.tenantId,
      eventId: change.announcementEventId,
    });
  }
}
