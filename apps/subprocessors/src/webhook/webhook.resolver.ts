import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { callerOf } from '@compliance-graph/auth';
import type { RequestContext } from '@compliance-graph/federation';
import type { SubprocessorsLoaders } from '../loaders';
import { WebhookSubscriptionEntity } from './webhook-subscription.entity';
import type { WebhookService } from './webhook.service';
import { CreatedWebhookSubscription, WebhookDeliveryConnection } from './webhook.types';

@Resolver(() => WebhookSubscriptionEntity)
export class WebhookResolver {
  constructor(private readonly service: WebhookService) {}

  @Query(() => [WebhookSubscriptionEntity], { description: 'a partner sees its own; OWNER and ADMIN see all' })
  webhookSubscriptions(@Ctx() ctx: RequestContext<SubprocessorsLoaders>): Promise<WebhookSubscriptionEntity[]> {
    return this.service.list(callerOf(ctx));
  }

  @Mutation(() => CreatedWebhookSubscription, { description: 'PARTNER, OWNER, ADMIN' })
  createWebhookSubscription(
    @Arg('url') url: string,
    @Arg('eventTypes', () => [String]) eventTypes: string[],
    @Ctx() ctx: RequestContext<SubprocessorsLoaders>,
  ): Promise<CreatedWebhookSubscription> {
    return this.service.create(callerOf(ctx), ctx, url, eventTypes);
  }

  @Mutation(() => Boolean, { description: 'a partner deletes its own; OWNER and ADMIN any of the tenant' })
  deleteWebhookSubscription(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext<SubprocessorsLoaders>): Promise<boolean> {
    return this.service.delete(callerOf(ctx), ctx, id);
  }

  @FieldResolver(() => Date, { nullable: true, description: 'when the latest delivery attempt started' })
  async lastDeliveryAt(@Root() subscription: WebhookSubscriptionEntity, @Ctx() ctx: RequestContext<SubprocessorsLoaders>): Promise<Date | null> {
    return (await ctx.loaders.lastWebhookDeliveries.load(subscription.id))?.attemptedAt ?? null;
  }

  @FieldResolver(() => Int, { nullable: true, description: "the latest attempt's HTTP status; null when it got no complete answer" })
  async lastDeliveryStatus(@Root() subscription: WebhookSubscriptionEntity, @Ctx() ctx: RequestContext<SubprocessorsLoaders>): Promise<number | null> {
    return (await ctx.loaders.lastWebhookDeliveries.load(subscription.id))?.httpStatus ?? null;
  }

  @FieldResolver(() => WebhookDeliveryConnection, { description: 'the delivery log, newest first' })
  deliveries(
    @Root() subscription: WebhookSubscriptionEntity,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: RequestContext<SubprocessorsLoaders>,
  ): Promise<WebhookDeliveryConnection> {
    return ctx.loaders.webhookDeliveries(first, after).load(subscription.id);
  }
}
