import type { RequestContext } from '@compliance-graph/federation';
import type { SubprocessorsLoaders } from '../loaders';

export const subprocessorReference = {
  Subprocessor: {
    __resolveReference: (ref: { id: string }, ctx: RequestContext<SubprocessorsLoaders>) => ctx.loaders.subprocessors.load(ref.id),
  },
};
