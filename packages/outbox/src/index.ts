export { enqueue, createOutboxTable, outboxDeadLettersMigration, outboxPerTopicMigration, outboxTraceContextMigration, REFUSALS_BEFORE_DEAD } from './enqueue';
export { recordAudit, actorOf, type Caller, type Actor, type AuditEvent } from './record-audit';
export { auditMessage, AUDIT_TOPIC, type OutboxMessage, type AuditEventInput, type ActorKind } from './message';
export { startOutboxRelay, type OutboxRelay, type OutboxRelayOptions, type OutboxConsumer, type Deliver } from './relay';
export { httpDelivery, ConsumerRefused, type HttpDeliveryOptions } from './http-delivery';
export { deadLetters, type OutboxBacklog, type DeadMessage } from './outbox-store';
export { auditIngestConsumer, internalApiConsumer } from './internal-api-consumer';
export { recordPlatformAudit, platformAuditMessage, platformActor, commandLineText, PLATFORM_ACTOR_MAX_LENGTH, type PlatformEvent } from './platform';
