import { outboxDeadLettersMigration, outboxPerTopicMigration } from '@compliance-graph/outbox';
import { InitialSubprocessors1764230400000 } from './1764230400000-initial-subprocessors';

export const subprocessorsMigrations = [InitialSubprocessors1764230400000, outboxDeadLettersMigration('subprocessors'), outboxPerTopicMigration('subprocessors')];
