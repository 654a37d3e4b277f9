import type { RequestContext } from '@compliance-graph/federation';
import type { EvidenceLoaders } from '../loaders';

export const evidenceReference = {
  Evidence: {
    __resolveReference: (ref: { id: string }, ctx: RequestContext<EvidenceLoaders>) => ctx.loaders.evidence.load(ref.id),
  },
};
