import type { RequestContext } from '@compliance-graph/federation';
import type { EvidenceLoaders } from '../loaders';

export const proofpackReference = {
  Proofpack: {
    __resolveReference: (ref: { id: string }, ctx: RequestContext<EvidenceLoaders>) => ctx.loaders.proofpack.load(ref.id),
  },
};
