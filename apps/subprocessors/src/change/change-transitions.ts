import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { enqueue, type Caller } from '@compliance-graph/outbox';
import { SUBPROCESSORS_SERVICE, recordSubprocessorsAudit } from '../audit';
import { SUBPROCESSOR_EVENT_TOPIC, subprocessorEventSchema, type SubprocessorEvent, type SubprocessorEventType } from '../subprocessor-event';
import { SubprocessorChangeEntity, SubprocessorChangeStatus } from './change.entity';

/** The caller of work nobody requested (the scheduler): the system, from nowhere. */
export const SYSTEM_CALLER: Caller = { clientIp: null, userAgent: null };

/**
 * Records a transition of a change in the transaction that makes it: the audit event and the
 * register event for the webhook fan-out (SUBPROCESSOR_EVENT_TOPIC), which share the event's id.
 * The change must already carry its new status; `eventId` is the event's id when the change keeps it.
 */
export async function recordTransition(
  tx: EntityManager,
  caller: Caller,
  change: SubprocessorChangeEntity,
  transition: { type: SubprocessorEventType; tenantSlug: string; at: Date; reason?: string | null; eventId?: string },
): Promise<void> {
  const id = transition.eventId ?? randomUUID();
  const occurredAt = transition.at.toISOString();
  const event: SubprocessorEvent = subprocessorEventSchema.parse({
    id,
    type: transition.type,
    occurredAt,
    tenant: { slug: transition.tenantSlug },
    change: {
      id: change.id,
      kind: change.kind,
      status: change.status,
      announcedAt: change.announcedAt.toISOString(),
      effectiveAt: change.effectiveAt.toISOString(),
      objectionDeadline: change.objectionDeadline.toISOString(),
      before: change.before,
      after: change.after,
    },
  });
  await recordSubprocessorsAudit(tx, caller, {
    tenantId: change.tenantId,
    action: transition.type,
    subjectType: 'SubprocessorChange',
    subjectId: change.id,
    reason: transition.reason ?? null,
    occurredAt: transition.at,
    data: { eventId: id, subprocessorId: change.subprocessorId, ...event.change },
  });
  await enqueue(tx, SUBPROCESSORS_SERVICE.schema, { id, topic: SUBPROCESSOR_EVENT_TOPIC, tenantId: change.tenantId, occurredAt, payload: event });
}

/**
 * ANNOUNCED -> EFFECTIVE, exactly once: the update takes the change only while it is still
 * ANNOUNCED, so of two transactions racing for it (two scheduler instances, an announcement
 * catching up) one records the transition and the other finds nothing to do.
 */
export async function makeEffective(tx: EntityManager, caller: Caller, change: SubprocessorChangeEntity, tenantSlug: string, at: Date): Promise<boolean> {
  const { affected } = await tx.update(SubprocessorChangeEntity, { id: change.id, status: SubprocessorChangeStatus.ANNOUNCED }, { status: SubprocessorChangeStatus.EFFECTIVE });
  if (affected !== 1) return false;
  change.status = SubprocessorChangeStatus.EFFECTIVE;
  await recordTransition(tx, caller, change, { type: 'subprocessor.change_effective', tenantSlug, at });
  return true;
}
