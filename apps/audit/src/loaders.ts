import type DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import type { Principal } from '@compliance-graph/auth';
import { tenantEntityLoader } from '@compliance-graph/db';
import { AuditEventEntity } from './event/event.entity';

export interface AuditLoaders {
  events: DataLoader<string, AuditEventEntity | null>;
}

export const createAuditLoaders = (db: DataSource, principal: Principal | undefined): AuditLoaders => ({
  events: tenantEntityLoader(db, principal?.tenantId, AuditEventEntity),
});
