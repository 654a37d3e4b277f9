import { outboxDeadLettersMigration, outboxPerTopicMigration } from '@compliance-graph/outbox';
import { InitialSubprocessors1764230400000 } from './1764230400000-initial-subprocessors';
import { Webhooks1765440000000 } from './1765440000000-webhooks';

export const subprocessorsMigrations = [
  InitialSubprocessors1764230400000,
  outboxDeadLettersMigration('subprocessors'),
  outboxPerTopicMigration('subprocessors'),
  Webhooks1765440000000,
];
