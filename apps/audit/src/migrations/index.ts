import { oncePerStatementTenantMigration } from '@compliance-graph/db';
import { outboxDeadLettersMigration, outboxPerTopicMigration, outboxTraceContextMigration } from '@compliance-graph/outbox';
import { InitialAudit1764230400000 } from './1764230400000-initial-audit';
import { AuditLog1764662400000 } from './1764662400000-audit-log';

export const auditMigrations = [
  InitialAudit1764230400000,
  AuditLog1764662400000,
  outboxDeadLettersMigration('audit'),
  outboxPerTopicMigration('audit'),
  outboxTraceContextMigration('audit'),
  oncePerStatementTenantMigration('audit', { outbox: 'position' }),
];
