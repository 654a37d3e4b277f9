import type { RequestContext } from '@compliance-graph/federation';
import type { EvidenceLoaders } from '../loaders';

export const accessReviewReference = {
  AccessReview: {
    __resolveReference: (ref: { id: string }, ctx: RequestContext<EvidenceLoaders>) => ctx.loaders.accessReviewReports.load(ref.id),
  },
};
