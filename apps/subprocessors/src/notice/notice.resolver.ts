import { Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '@compliance-graph/federation';
import { SubprocessorChangeEntity } from '../change/change.entity';
import type { SubprocessorsLoaders } from '../loaders';
import { ownerKey } from './notice.loaders';
import { SubprocessorChangeNotice, SubprocessorNoticeDelivery } from './notice.types';

@Resolver(() => SubprocessorChangeEntity)
export class ChangeNoticeResolver {
  // Nullable: for the roles it is withheld from it is null with FORBIDDEN, and the rest of the change stays.
  @FieldResolver(() => SubprocessorChangeNotice, {
    nullable: true,
    description: 'OWNER, ADMIN, COMPLIANCE_MANAGER, AUDITOR (null with FORBIDDEN for others): who was notified of the announcement, and when',
  })
  notice(@Root() change: SubprocessorChangeEntity): SubprocessorChangeNotice {
    return SubprocessorChangeNotice.of(change);
  }
}

@Resolver(() => SubprocessorChangeNotice)
export class NoticeResolver {
  @FieldResolver(() => Int, {
    nullable: true,
    description: 'how many subscriptions of the tenant the announcement was fanned out to (those taking its event type then); null until the fan-out ran',
  })
  subscriptionsNotified(@Root() notice: SubprocessorChangeNotice, @Ctx() ctx: RequestContext<SubprocessorsLoaders>): Promise<number | null> | null {
    return notice.eventId ? ctx.loaders.fanoutSizes.load(notice.eventId) : null;
  }

  @FieldResolver(() => [SubprocessorNoticeDelivery], { description: 'every attempt to deliver the announcement event to a subscription, oldest first; other events of the change are not part of it' })
  async deliveries(@Root() notice: SubprocessorChangeNotice, @Ctx() ctx: RequestContext<SubprocessorsLoaders>): Promise<SubprocessorNoticeDelivery[]> {
    if (!notice.eventId) return [];
    const rows = await ctx.loaders.noticeDeliveries.load(notice.eventId);
    const names = await Promise.all(rows.map((row) => ctx.loaders.ownerNames.load(ownerKey(row.ownerKind, row.ownerId))));
    return rows.map((row, i) => Object.assign(new SubprocessorNoticeDelivery(), { ...row, ownerName: names[i] }));
  }
}
