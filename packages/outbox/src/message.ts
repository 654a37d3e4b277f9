import { randomUUID } from 'node:crypto';
import { badUserInput } from '@compliance-graph/auth';
import { AUDIT_INGEST } from '@compliance-graph/internal-api';
import {
  CLIENT_ADDRESS_MAX_LENGTH,
  USER_AGENT_MAX_LENGTH,
  auditRecordSchema,
  describeIssues,
  normaliseHeaderValue,
  type AuditRecord,
} from '@compliance-graph/audit-log';

/** An outbox message as DESIGN.md defines it. */
export interface OutboxMessage<P extends object = Record<string, unknown>> {
  id: string;
  topic: string;
  tenantId: string;
  /** Milliseconds precision, `Z`: the audit log hashes this exact text. */
  occurredAt: string;
  payload: P;
}

export type ActorKind = AuditRecord['actorKind'];

/** The audit ingest's topic, as its internal API declares it. */
export const AUDIT_TOPIC = AUDIT_INGEST.topic;

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

/**
 * Builds the outbox message of an audit event `<domain>.<past-tense verb>`, with the client's
 * address and user agent normalised, and checks it against the ingest's own schema: a record
 * the ingest would refuse fails here, as BAD_USER_INPUT, and rolls back the change it describes.
 */
export function auditMessage(event: AuditEventInput): OutboxMessage<AuditRecord> {
  const id = randomUUID();
  const occurredAt = (event.occurredAt ?? new Date()).toISOString();
  const parsed = auditRecordSchema.safeParse({
    id,
    tenantId: event.tenantId,
    occurredAt,
    action: event.action,
    actorKind: event.actorKind,
    actorId: event.actorId ?? null,
    subjectType: event.subjectType,
    subjectId: event.subjectId,
    service: event.service,
    ip: normaliseHeaderValue(event.ip, CLIENT_ADDRESS_MAX_LENGTH),
    userAgent: normaliseHeaderValue(event.userAgent, USER_AGENT_MAX_LENGTH),
    reason: event.reason ?? null,
    data: event.data ?? {},
  });
  if (!parsed.success) throw badUserInput(`audit record of ${event.action}: ${describeIssues(parsed.error)}`);
  return { id, topic: AUDIT_TOPIC, tenantId: event.tenantId, occurredAt, payload: parsed.data };
}
