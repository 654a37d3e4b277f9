export { enqueue, createOutboxTable } from './enqueue';
export { recordAudit, actorOf, type Caller, type Actor, type AuditEvent } from './record-audit';
export { auditMessage, AUDIT_TOPIC, type OutboxMessage, type AuditRecord, type AuditEventInput, type ActorKind } from './message';
