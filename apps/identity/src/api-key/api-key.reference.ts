import type { RequestContext } from '@compliance-graph/federation';
import type { IdentityLoaders } from '../loaders';

export const apiKeyReference = {
  ApiKey: {
    __resolveReference: (ref: { id: string }, ctx: RequestContext<IdentityLoaders>) => ctx.loaders.apiKeys.load(ref.id),
  },
};
