import type DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import type { Principal } from '@compliance-graph/auth';
import { tenantEntityLoader } from '@compliance-graph/db';
import { SubprocessorEntity } from './subprocessor/subprocessor.entity';

export interface SubprocessorsLoaders {
  subprocessors: DataLoader<string, SubprocessorEntity | null>;
}

export function createSubprocessorsLoaders(db: DataSource, principal: Principal | undefined): SubprocessorsLoaders {
  return {
    subprocessors: tenantEntityLoader(db, principal?.tenantId, SubprocessorEntity),
  };
}
