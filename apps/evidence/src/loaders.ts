import type DataLoader from 'dataloader';
import type { Principal } from '@compliance-graph/auth';
import type { AccessReviewReportEntity } from './access-review/access-review-report.entity';
import type { AccessReviewReportService } from './access-review/access-review-report.service';
import type { DecisionEntity } from './decision/decision.entity';
import type { EvidenceEntity } from './evidence/evidence.entity';
import type { EvidenceService } from './evidence/evidence.service';
import type { RevisionEntity } from './revision/revision.entity';

export interface EvidenceLoaders {
  evidence: DataLoader<string, EvidenceEntity | null>;
  revisions: DataLoader<string, RevisionEntity[]>;
  decisions: DataLoader<string, DecisionEntity[]>;
  accessReviewReports: DataLoader<string, AccessReviewReportEntity | null>;
}

export const createEvidenceLoaders = (evidence: EvidenceService, reports: AccessReviewReportService, principal: Principal | undefined): EvidenceLoaders => ({
  evidence: evidence.loader(principal),
  revisions: evidence.revisionsLoader(principal),
  decisions: evidence.decisionsLoader(principal),
  accessReviewReports: reports.loader(principal),
});
