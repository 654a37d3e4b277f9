import { randomUUID } from 'node:crypto';
import type { SubprocessorEvent, SubprocessorEventType } from '../src/subprocessor-event';

/** A register event as the change service writes it (the webhook body). */
export function registerEvent(type: SubprocessorEventType = 'subprocessor.change_announced', slug = 'acme'): SubprocessorEvent {
  const now = new Date();
  const later = new Date(now.getTime() + 30 * 86400_000).toISOString();
  return {
    id: randomUUID(),
    type,
    occurredAt: now.toISOString(),
    tenant: { slug },
    change: {
      id: randomUUID(),
      kind: 'ADDED',
      status: 'ANNOUNCED',
      announcedAt: now.toISOString(),
      effectiveAt: later,
      objectionDeadline: later,
      before: null,
      after: { name: 'Mailer GmbH', purpose: 'e-mail', locations: ['DE'] },
    },
  };
}
