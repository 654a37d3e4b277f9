import { outboxDeadLettersMigration, outboxPerTopicMigration } from '@compliance-graph/outbox';
import { InitialEvidence1764230400000 } from './1764230400000-initial-evidence';

export const evidenceMigrations = [InitialEvidence1764230400000, outboxDeadLettersMigration('evidence'), outboxPerTopicMigration('evidence')];
