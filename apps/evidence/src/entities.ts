import { AccessReviewReportEntity } from './access-review/access-review-report.entity';
import { DecisionEntity } from './decision/decision.entity';
import { EvidenceEntity } from './evidence/evidence.entity';
import { ProofpackEntity, ProofpackItemEntity } from './proofpack/proofpack.entity';
import { RevisionEntity } from './revision/revision.entity';
import { UploadEntity } from './upload/upload.entity';

export const evidenceEntities = [EvidenceEntity, RevisionEntity, DecisionEntity, UploadEntity, ProofpackEntity, ProofpackItemEntity, AccessReviewReportEntity];
