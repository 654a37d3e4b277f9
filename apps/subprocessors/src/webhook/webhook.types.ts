import { Field, Int, ObjectType } from 'type-graphql';
import { PageInfo } from '@compliance-graph/federation';
import { WebhookDeliveryEntity } from './webhook-delivery.entity';
import { WebhookSubscriptionEntity } from './webhook-subscription.entity';

@ObjectType('CreatedWebhookSubscription')
export class CreatedWebhookSubscription {
  @Field(() => WebhookSubscriptionEntity)
  subscription!: WebhookSubscriptionEntity;

  @Field({ description: 'the signing secret (HMAC-SHA256 key of X-Signature), shown once' })
  secret!: string;
}

@ObjectType('WebhookDeliveryConnection')
export class WebhookDeliveryConnection {
  @Field(() => [WebhookDeliveryEntity])
  nodes!: WebhookDeliveryEntity[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  totalCount!: number;
}
