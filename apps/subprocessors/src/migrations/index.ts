import { oncePerStatementTenantMigration } from '@compliance-graph/db';
import { outboxDeadLettersMigration, outboxPerTopicMigration, outboxTraceContextMigration } from '@compliance-graph/outbox';
import { InitialSubprocessors1764230400000 } from './1764230400000-initial-subprocessors';
import { Webhooks1765440000000 } from './1765440000000-webhooks';
import { RegisterChanges1765612800000 } from './1765612800000-register-changes';
import { ChangeAnnouncementEvent1765785600000 } from './1765785600000-change-announcement-event';

export const subprocessorsMigrations = [
  InitialSubprocessors1764230400000,
  outboxDeadLettersMigration('subprocessors'),
  outboxPerTopicMigration('subprocessors'),
  Webhooks1765440000000,
  RegisterChanges1765612800000,
  ChangeAnnouncementEvent1765785600000,
  outboxTraceContextMigration('subprocessors'),
  oncePerStatementTenantMigration('subprocessors', {
    outbox: 'position',
    subprocessors: 'id',
    objections: 'change_id',
    webhook_deliveries: 'subscription_id, attempted_at DESC, id DESC',
    webhook_fanouts: 'event_id',
  }),
];
