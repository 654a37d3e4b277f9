import type DataLoader from 'dataloader';
import type { Principal } from '@compliance-graph/auth';
import type { DecisionEntity } from './decision/decision.entity';
import type { EvidenceEntity } from './evidence/evidence.entity';
import type { EvidenceService } from './evidence/evidence.service';
import type { RevisionEntity } from './revision/revision.entity';

export interface EvidenceLoaders {
  evidence: DataLoader<string, EvidenceEntity | null>;
  revisions: DataLoader<string, RevisionEntity[]>;
  decisions: DataLoader<string, DecisionEntity[]>;
}

export const createEvidenceLoaders = (evidence: EvidenceService, principal: Principal | undefined): EvidenceLoaders => ({
  evidence: evidence.loader(principal),
  revisions: evidence.revisionsLoader(principal),
  decisions: evidence.decisionsLoader(principal),
});
