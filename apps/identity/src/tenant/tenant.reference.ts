import type { RequestContext } from '@compliance-graph/federation';
import type { IdentityLoaders } from '../loaders';

export const tenantReference = {
  Tenant: {
    __resolveReference: (ref: { id: string }, ctx: RequestContext<IdentityLoaders>) => ctx.loaders.tenants.load(ref.id),
  },
};
