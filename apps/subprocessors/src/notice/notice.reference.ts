import { NOTICE_READERS } from '@compliance-graph/auth';
import type { RequestContext } from '@compliance-graph/federation';
import type { SubprocessorsLoaders } from '../loaders';
import { SubprocessorChangeNotice } from './notice.types';

/**
 * A notice is its change's: a change of another tenant, or none, has no notice; nor has any
 * change for a role that does not read notices (the type's rule would refuse each field).
 */
export const noticeReference = {
  SubprocessorChangeNotice: {
    __resolveReference: async (ref: { changeId: string }, ctx: RequestContext<SubprocessorsLoaders>) => {
      if (!ctx.principal || !NOTICE_READERS.includes(ctx.principal.role)) return null;
      const change = await ctx.loaders.changes.load(ref.changeId);
      return change && SubprocessorChangeNotice.of(change);
    },
  },
};
