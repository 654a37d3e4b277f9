import { EvidenceTrail, MembershipTrail } from './trail.types';

/** Nothing to load: the trail needs only the id, and the caller's tenant bounds what it finds. */
export const trailReferences = {
  Evidence: { __resolveReference: (ref: { id: string }) => Object.assign(new EvidenceTrail(), { id: ref.id }) },
  Membership: { __resolveReference: (ref: { id: string }) => Object.assign(new MembershipTrail(), { id: ref.id }) },
};
