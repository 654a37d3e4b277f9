import type DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import type { Principal } from '@compliance-graph/auth';
import { tenantEntityLoader } from '@compliance-graph/db';
import { SubprocessorEntity } from './subprocessor/subprocessor.entity';
import { lastDeliveryLoader } from './webhook/last-delivery.loader';
import type { LastDelivery } from './webhook/webhook.store';

export interface SubprocessorsLoaders {
  subprocessors: DataLoader<string, SubprocessorEntity | null>;
  lastWebhookDeliveries: DataLoader<string, LastDelivery | null>;
}

export function createSubprocessorsLoaders(db: DataSource, principal: Principal | undefined): SubprocessorsLoaders {
  return {
    subprocessors: tenantEntityLoader(db, principal?.tenantId, SubprocessorEntity),
    lastWebhookDeliveries: lastDeliveryLoader(db, principal?.tenantId),
  };
}
