import type { InputLimits } from '@compliance-graph/federation';

/** Every string argument of the audit graph and its length limit (checked before shield and the resolvers). */
export const AUDIT_INPUT_LIMITS: InputLimits = {
  id: { max: 36 },
  eventId: { max: 36 },
  after: { max: 512 },
  action: { max: 100 },
  actorId: { max: 36 },
  subjectType: { max: 100 },
  subjectId: { max: 200 },
};
