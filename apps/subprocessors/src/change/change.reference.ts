import type { RequestContext } from '@compliance-graph/federation';
import type { SubprocessorsLoaders } from '../loaders';

export const changeReference = {
  SubprocessorChange: {
    __resolveReference: (ref: { id: string }, ctx: RequestContext<SubprocessorsLoaders>) => ctx.loaders.changes.load(ref.id),
  },
};
