import { oncePerStatementTenantMigration } from '@compliance-graph/db';
import { outboxDeadLettersMigration, outboxPerTopicMigration, outboxTraceContextMigration } from '@compliance-graph/outbox';
import { InitialEvidence1764230400000 } from './1764230400000-initial-evidence';
import { EvidenceRecords1765267200000 } from './1765267200000-evidence-records';
import { AccessReviewReports1765353600000 } from './1765353600000-access-review-reports';
import { Proofpacks1765440000000 } from './1765440000000-proofpacks';

export const evidenceMigrations = [
  InitialEvidence1764230400000,
  outboxDeadLettersMigration('evidence'),
  outboxPerTopicMigration('evidence'),
  EvidenceRecords1765267200000,
  AccessReviewReports1765353600000,
  Proofpacks1765440000000,
  outboxTraceContextMigration('evidence'),
  oncePerStatementTenantMigration('evidence', {
    outbox: 'position',
    uploads: 'id',
    revisions: 'evidence_id, version',
    decisions: 'evidence_id, decided_at',
    proofpack_items: 'proofpack_id, position',
  }),
];
