import type { RequestContext } from '@compliance-graph/federation';
import type { AuditLoaders } from '../loaders';

export const auditEventReference = {
  AuditEvent: {
    __resolveReference: (ref: { id: string }, ctx: RequestContext<AuditLoaders>) => ctx.loaders.events.load(ref.id),
  },
};
