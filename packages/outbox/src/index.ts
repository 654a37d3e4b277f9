export { enqueue, createOutboxTable, outboxDeadLettersMigration, REFUSALS_BEFORE_DEAD } from './enqueue';
export { recordAudit, actorOf, type Caller, type Actor, type AuditEvent } from './record-audit';
export { auditMessage, AUDIT_TOPIC, type OutboxMessage, type AuditEventInput, type ActorKind } from './message';
export {
  auditRecordSchema,
  describeIssues,
  normaliseHeaderValue,
  storableText,
  unstorableText,
  USER_AGENT_MAX_LENGTH,
  CLIENT_ADDRESS_MAX_LENGTH,
  type AuditRecord,
} from './audit-record';
export { startOutboxRelay, type OutboxRelay, type OutboxRelayOptions, type Deliver } from './relay';
export { httpDelivery, ConsumerRefused, type HttpDeliveryOptions } from './http-delivery';
export { deadLetters, type OutboxBacklog, type DeadMessage } from './outbox-store';
