import type { RequestContext } from '@compliance-graph/federation';
import type { IdentityLoaders } from '../loaders';

export const accessReviewReference = {
  AccessReview: {
    __resolveReference: (ref: { id: string }, ctx: RequestContext<IdentityLoaders>) => ctx.loaders.accessReviews.load(ref.id),
  },
};
