import { NOTICE_READERS } from '@compliance-graph/auth';
import type { RequestContext } from '@compliance-graph/federation';
import type { AuditLoaders } from '../loaders';
import { SubprocessorChangeNoticeTrail } from './notice.types';

/**
 * The notice's audit part is the announcement event of the caller's tenant: none until the log
 * has it, none for another tenant's change, and none for a role that does not read notices.
 */
export const noticeReference = {
  SubprocessorChangeNotice: {
    __resolveReference: async (ref: { changeId: string }, ctx: RequestContext<AuditLoaders>) => {
      if (!ctx.principal || !NOTICE_READERS.includes(ctx.principal.role)) return null;
      const announcement = await ctx.loaders.announcements.load(ref.changeId);
      return announcement && Object.assign(new SubprocessorChangeNoticeTrail(), { changeId: ref.changeId });
    },
  },
};
