import type DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import type { Principal } from '@compliance-graph/auth';
import { tenantChildrenLoader, tenantEntityLoader } from '@compliance-graph/db';
import { AccessReviewReportEntity } from './access-review/access-review-report.entity';
import { DecisionEntity } from './decision/decision.entity';
import { EvidenceEntity } from './evidence/evidence.entity';
import { ProofpackEntity, ProofpackItemEntity } from './proofpack/proofpack.entity';
import { RevisionEntity } from './revision/revision.entity';

export interface EvidenceLoaders {
  evidence: DataLoader<string, EvidenceEntity | null>;
  /** Each item's revisions, newest first. */
  revisions: DataLoader<string, RevisionEntity[]>;
  /** Each item's decisions, oldest first. */
  decisions: DataLoader<string, DecisionEntity[]>;
  proofpack: DataLoader<string, ProofpackEntity | null>;
  /** Each pack's items, in the order they were given. */
  proofpackItems: DataLoader<string, ProofpackItemEntity[]>;
  /** The report evidence of a completed access review, by review id. */
  accessReviewReports: DataLoader<string, AccessReviewReportEntity | null>;
}

/** Per-request loaders within the caller's tenant: another tenant's id reads as absent. */
export function createEvidenceLoaders(db: DataSource, principal: Principal | undefined): EvidenceLoaders {
  const tenantId = principal?.tenantId;
  return {
    evidence: tenantEntityLoader(db, tenantId, EvidenceEntity),
    revisions: tenantChildrenLoader(db, tenantId, RevisionEntity, 'evidenceId', { version: 'DESC' }),
    decisions: tenantChildrenLoader(db, tenantId, DecisionEntity, 'evidenceId', { decidedAt: 'ASC', id: 'ASC' }),
    proofpack: tenantEntityLoader(db, tenantId, ProofpackEntity),
    proofpackItems: tenantChildrenLoader(db, tenantId, ProofpackItemEntity, 'proofpackId', { position: 'ASC' }),
    accessReviewReports: tenantEntityLoader(db, tenantId, AccessReviewReportEntity),
  };
}
