export { enqueue, createOutboxTable } from './enqueue';
export { auditMessage, AUDIT_TOPIC, type OutboxMessage, type AuditRecord, type AuditEventInput, type ActorKind } from './message';
