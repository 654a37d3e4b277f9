import { randomUUID } from 'node:crypto';

/** An outbox message as DESIGN.md defines it. */
export interface OutboxMessage<P extends object = Record<string, unknown>> {
  id: string;
  topic: string;
  tenantId: string;
  /** Milliseconds precision, `Z`: the audit log hashes this exact text. */
  occurredAt: string;
  payload: P;
}

export type ActorKind = 'USER' | 'API_KEY' | 'SUPPORT' | 'SYSTEM';

/** The audit record a producer sends; the audit service adds seq, recordedAt and leafHash. */
export interface AuditRecord {
  id: string;
  tenantId: string;
  occurredAt: string;
  action: string;
  actorKind: ActorKind;
  actorId: string | null;
  subjectType: string;
  subjectId: string;
  service: string;
  ip: string | null;
  userAgent: string | null;
  reason: string | null;
  data: Record<string, unknown>;
}

export const AUDIT_TOPIC = 'audit';

export interface AuditEventInput {
  tenantId: string;
  action: string;
  actorKind: ActorKind;
  actorId?: string | null;
  subjectType: string;
  subjectId: string;
  service: string;
  ip?: string | null;
  userAgent?: string | null;
  reason?: string | null;
  data?: Record<string, unknown>;
  occurredAt?: Date;
}

const ACTION = /^[a-z_]+\.[a-z_]+$/;

/** Builds the outbox message of an audit event `<domain>.<past-tense verb>`. */
export function auditMessage(event: AuditEventInput): OutboxMessage<AuditRecord> {
  if (!ACTION.test(event.action)) throw new Error(`audit action "${event.action}" is not <domain>.<verb>`);
  const id = randomUUID();
  const occurredAt = (event.occurredAt ?? new Date()).toISOString();
  return {
    id,
    topic: AUDIT_TOPIC,
    tenantId: event.tenantId,
    occurredAt,
    payload: {
      id,
      tenantId: event.tenantId,
      occurredAt,
      action: event.action,
      actorKind: event.actorKind,
      actorId: event.actorId ?? null,
      subjectType: event.subjectType,
      subjectId: event.subjectId,
      service: event.service,
      ip: event.ip ?? null,
      userAgent: event.userAgent ?? null,
      reason: event.reason ?? null,
      data: event.data ?? {},
    },
  };
}
