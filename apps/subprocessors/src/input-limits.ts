import type { InputLimits } from '@compliance-graph/federation';

/** Every string argument of the subprocessor graph and its length limit (checked before shield and the resolvers). */
export const SUBPROCESSORS_INPUT_LIMITS: InputLimits = {
  id: { max: 36 },
  changeId: { max: 36 },
  subprocessorId: { max: 36 },
  reason: { max: 2000 },
  'SubprocessorInput.name': { max: 200 },
  legalEntity: { max: 200 },
  website: { max: 2000 },
  purpose: { max: 2000 },
  dataCategories: { max: 200 },
  locations: { max: 2 },
};
