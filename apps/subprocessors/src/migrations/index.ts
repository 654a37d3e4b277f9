import { outboxDeadLettersMigration, outboxPerTopicMigration } from '@compliance-graph/outbox';
import { InitialSubprocessors1764230400000 } from './1764230400000-initial-subprocessors';
import { RegisterChanges1765612800000 } from './1765612800000-register-changes';

export const subprocessorsMigrations = [
  InitialSubprocessors1764230400000,
  outboxDeadLettersMigration('subprocessors'),
  outboxPerTopicMigration('subprocessors'),
  RegisterChanges1765612800000,
];
