import type { RequestContext } from '@compliance-graph/federation';
import type { IdentityLoaders } from '../loaders';

export const userReference = {
  User: {
    __resolveReference: (ref: { id: string }, ctx: RequestContext<IdentityLoaders>) => ctx.loaders.users.load(ref.id),
  },
};
