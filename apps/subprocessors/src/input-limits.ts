import type { InputLimits } from '@compliance-graph/federation';

/** Every string argument of the subprocessor graph and its length limit (checked before shield and the resolvers). */
export const SUBPROCESSORS_INPUT_LIMITS: InputLimits = {
  id: { max: 36 },
};
