import type DataLoader from 'dataloader';
import type { Principal } from '@compliance-graph/auth';
import type { EvidenceEntity } from './evidence/evidence.entity';
import type { EvidenceService } from './evidence/evidence.service';

export interface EvidenceLoaders {
  evidence: DataLoader<string, EvidenceEntity | null>;
}

export const createEvidenceLoaders = (evidence: EvidenceService, principal: Principal | undefined): EvidenceLoaders => ({
  evidence: evidence.loader(principal),
});
