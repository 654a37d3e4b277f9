import { z } from 'zod';

/**
 * A register event as partners receive it: the webhook body of the contract, and the payload
 * of the outbox message (topic `SUBPROCESSOR_EVENT_TOPIC`, message id = event id) that the change
 * service writes in the transaction of the change and the webhook fan-out consumes. One
 * declaration, so the producer and the deliveries cannot disagree about its shape.
 */
export const SUBPROCESSOR_EVENT_TOPIC = 'subprocessor_event';

export const SUBPROCESSOR_EVENT_TYPES = [
  'subprocessor.change_announced',
  'subprocessor.change_effective',
  'subprocessor.change_cancelled',
] as const;
export type SubprocessorEventType = (typeof SUBPROCESSOR_EVENT_TYPES)[number];

const entry = z.record(z.string(), z.unknown()).nullable();

export const subprocessorEventSchema = z.object({
  id: z.uuid(),
  type: z.enum(SUBPROCESSOR_EVENT_TYPES),
  occurredAt: z.iso.datetime(),
  tenant: z.object({ slug: z.string().min(1) }),
  change: z.object({
    id: z.uuid(),
    kind: z.enum(['ADDED', 'UPDATED', 'REMOVED']),
    status: z.enum(['ANNOUNCED', 'EFFECTIVE', 'CANCELLED']),
    announcedAt: z.iso.datetime(),
    effectiveAt: z.iso.datetime(),
    objectionDeadline: z.iso.datetime(),
    before: entry,
    after: entry,
  }),
});
export type SubprocessorEvent = z.infer<typeof subprocessorEventSchema>;
