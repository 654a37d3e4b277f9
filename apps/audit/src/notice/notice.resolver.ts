import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '@compliance-graph/federation';
import { AuditEventEntity } from '../event/event.entity';
import type { AuditLoaders } from '../loaders';
import { AuditInclusionProof } from '../log/log.types';
import { SubprocessorChangeNoticeTrail } from './notice.types';

@Resolver(() => SubprocessorChangeNoticeTrail)
export class NoticeTrailResolver {
  @FieldResolver(() => AuditEventEntity, { nullable: true, description: "the change's subprocessor.change_announced event; null until the log has it" })
  announcement(@Root() notice: SubprocessorChangeNoticeTrail, @Ctx() ctx: RequestContext<AuditLoaders>): Promise<AuditEventEntity | null> {
    return ctx.loaders.announcements.load(notice.changeId);
  }

  @FieldResolver(() => AuditInclusionProof, {
    nullable: true,
    description: "the announcement's inclusion proof against a checkpoint of the log as it is now (signed on demand, as auditInclusionProof does); null until the log has the event",
  })
  async announcementProof(@Root() notice: SubprocessorChangeNoticeTrail, @Ctx() ctx: RequestContext<AuditLoaders>): Promise<AuditInclusionProof | null> {
    const event = await ctx.loaders.announcements.load(notice.changeId);
    return event && ctx.loaders.inclusionProofs.load(event.id);
  }
}
