import type { DataSource } from 'typeorm';
import type { Principal } from '@compliance-graph/auth';
import { tenantEntityLoader } from '@compliance-graph/db';
import { EvidenceEntity } from './evidence.entity';

export class EvidenceService {
  constructor(private readonly db: DataSource) {}

  /** Evidence by id within the caller's tenant; another tenant's id reads as absent. */
  loader(principal: Principal | undefined) {
    return tenantEntityLoader(this.db, principal?.tenantId, EvidenceEntity);
  }
}
