import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { callerOf } from '@compliance-graph/auth';
import type { RequestContext } from '@compliance-graph/federation';
import type { IdentityLoaders } from '../loaders';
import { UserEntity } from '../user/user.entity';
import { AccessReviewDefaultAction, AccessReviewScheduleEntity } from './access-review-schedule.entity';
import type { AccessReviewScheduleService } from './access-review-schedule.service';

@Resolver(() => AccessReviewScheduleEntity)
export class AccessReviewScheduleResolver {
  constructor(private readonly schedules: AccessReviewScheduleService) {}

  @Query(() => AccessReviewScheduleEntity, { nullable: true, description: "OWNER, ADMIN, AUDITOR; the tenant's recurring access reviews, null when none" })
  accessReviewSchedule(@Ctx() ctx: RequestContext<IdentityLoaders>) {
    return this.schedules.get(callerOf(ctx));
  }

  @Mutation(() => AccessReviewScheduleEntity, {
    description:
      'OWNER, ADMIN: a review starts every intervalDays (7-366), due dueDays (1-intervalDays) later, as a review of the caller; the first at firstStartAt, or intervalDays from now (a replaced schedule keeps its next start)',
  })
  setAccessReviewSchedule(
    @Arg('intervalDays', () => Int) intervalDays: number,
    @Arg('dueDays', () => Int) dueDays: number,
    @Arg('defaultAction', () => AccessReviewDefaultAction) defaultAction: AccessReviewDefaultAction,
    @Arg('firstStartAt', () => Date, { nullable: true }) firstStartAt: Date | null,
    @Ctx() ctx: RequestContext<IdentityLoaders>,
  ) {
    return this.schedules.set(callerOf(ctx), ctx, { intervalDays, dueDays, defaultAction, firstStartAt });
  }

  @Mutation(() => Boolean, { description: 'OWNER, ADMIN: no more scheduled reviews (those started stay); false when there was no schedule' })
  clearAccessReviewSchedule(@Ctx() ctx: RequestContext<IdentityLoaders>) {
    return this.schedules.clear(callerOf(ctx), ctx);
  }

  @FieldResolver(() => UserEntity, { description: 'who set the schedule; the reviews it starts are theirs' })
  setBy(@Root() schedule: AccessReviewScheduleEntity, @Ctx() ctx: RequestContext<IdentityLoaders>) {
    return ctx.loaders.users.load(schedule.setById);
  }
}
