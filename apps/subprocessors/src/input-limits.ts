import type { InputLimits } from '@compliance-graph/federation';
import { WEBHOOK_URL_MAX_LENGTH } from './webhook/webhook-url';

/** Every string argument of the subprocessor graph and its length limit (checked before shield and the resolvers). */
export const SUBPROCESSORS_INPUT_LIMITS: InputLimits = {
  id: { max: 36 },
  url: { max: WEBHOOK_URL_MAX_LENGTH },
  // The longest event type is 30 characters; the exact list is checked by the service.
  eventTypes: { max: 64 },
};
