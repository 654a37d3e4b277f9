import type { RequestContext } from '@compliance-graph/federation';
import type { IdentityLoaders } from '../loaders';

export const membershipReference = {
  Membership: {
    __resolveReference: (ref: { id: string }, ctx: RequestContext<IdentityLoaders>) => ctx.loaders.memberships.load(ref.id),
  },
};
