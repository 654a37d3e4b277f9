import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { badUserInput, callerOf, type Role } from '@compliance-graph/auth';
import { isUuid } from '@compliance-graph/db';
import type { RequestContext } from '@compliance-graph/federation';
import { ApiKeyEntity } from '../api-key/api-key.entity';
import type { IdentityLoaders } from '../loaders';
import { MembershipEntity, RoleEnum } from '../membership/membership.entity';
import { UserEntity } from '../user/user.entity';
import { AccessReviewDecision, AccessReviewItemEntity, AccessRiskFlag } from './access-review-item.entity';
import { AccessReviewEntity, AccessReviewStatus } from './access-review.entity';
import type { AccessReviewService } from './access-review.service';
import { AccessReviewItemConnection, AccessReviewSummary } from './access-review.types';

@Resolver(() => AccessReviewEntity)
export class AccessReviewResolver {
  constructor(private readonly reviews: AccessReviewService) {}

  @Query(() => [AccessReviewEntity], { description: 'OWNER, ADMIN, AUDITOR; newest first' })
  accessReviews(@Ctx() ctx: RequestContext<IdentityLoaders>) {
    return this.reviews.list(callerOf(ctx));
  }

  @Query(() => AccessReviewEntity, { nullable: true })
  accessReview(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext<IdentityLoaders>) {
    if (!isUuid(id)) throw badUserInput('id must be a UUID');
    return ctx.loaders.accessReviews.load(id);
  }

  @Mutation(() => AccessReviewEntity, { description: 'OWNER, ADMIN' })
  startAccessReview(@Arg('title') title: string, @Arg('dueAt') dueAt: Date, @Ctx() ctx: RequestContext<IdentityLoaders>) {
    return this.reviews.start(callerOf(ctx), ctx, title, dueAt);
  }

  @Mutation(() => AccessReviewItemEntity, { description: 'OWNER, ADMIN; never about your own access; only an OWNER revokes an OWNER or changes its role' })
  decideAccessReviewItem(
    @Arg('itemId', () => ID) itemId: string,
    @Arg('decision', () => AccessReviewDecision) decision: AccessReviewDecision,
    @Arg('justification') justification: string,
    @Arg('newRole', () => RoleEnum, { nullable: true }) newRole: Role | null,
    @Ctx() ctx: RequestContext<IdentityLoaders>,
  ) {
    return this.reviews.decide(callerOf(ctx), ctx, itemId, decision, justification, newRole);
  }

  @Mutation(() => AccessReviewEntity, { description: 'applies REVOKE/CHANGE_ROLE; undecided items are kept and flagged' })
  completeAccessReview(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext<IdentityLoaders>) {
    return this.reviews.complete(callerOf(ctx), ctx, id);
  }

  @Mutation(() => AccessReviewEntity)
  cancelAccessReview(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext<IdentityLoaders>) {
    return this.reviews.cancel(callerOf(ctx), ctx, id);
  }

  @FieldResolver(() => AccessReviewItemConnection)
  items(
    @Root() review: AccessReviewEntity,
    @Arg('pending', () => Boolean, { nullable: true }) pending: boolean | null,
    @Arg('flag', () => AccessRiskFlag, { nullable: true }) flag: AccessRiskFlag | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: RequestContext<IdentityLoaders>,
  ): Promise<AccessReviewItemConnection> {
    return this.reviews.items(callerOf(ctx), review.id, { pending, flag, first, after });
  }

  @FieldResolver(() => AccessReviewSummary)
  summary(@Root() review: AccessReviewEntity, @Ctx() ctx: RequestContext<IdentityLoaders>): Promise<AccessReviewSummary> {
    return ctx.loaders.accessReviewSummaries.load(review.id);
  }

  @FieldResolver(() => Boolean, { description: 'still in progress after its due date' })
  overdue(@Root() review: AccessReviewEntity): boolean {
    return review.status === AccessReviewStatus.IN_PROGRESS && review.dueAt.getTime() < Date.now();
  }

  @FieldResolver(() => UserEntity)
  createdBy(@Root() review: AccessReviewEntity, @Ctx() ctx: RequestContext<IdentityLoaders>) {
    return ctx.loaders.users.load(review.createdById);
  }
}

@Resolver(() => AccessReviewItemEntity)
export class AccessReviewItemResolver {
  @FieldResolver(() => MembershipEntity, { nullable: true, description: 'set for user access' })
  membership(@Root() item: AccessReviewItemEntity, @Ctx() ctx: RequestContext<IdentityLoaders>) {
    return item.membershipId ? ctx.loaders.memberships.load(item.membershipId) : null;
  }

  @FieldResolver(() => ApiKeyEntity, { nullable: true, description: 'set for API key access' })
  apiKey(@Root() item: AccessReviewItemEntity, @Ctx() ctx: RequestContext<IdentityLoaders>) {
    return item.apiKeyId ? ctx.loaders.apiKeys.load(item.apiKeyId) : null;
  }

  @FieldResolver(() => UserEntity, { nullable: true })
  decidedBy(@Root() item: AccessReviewItemEntity, @Ctx() ctx: RequestContext<IdentityLoaders>) {
    return item.decidedById ? ctx.loaders.users.load(item.decidedById) : null;
  }
}
