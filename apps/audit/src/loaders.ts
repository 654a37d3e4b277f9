import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import type { Principal } from '@compliance-graph/auth';
import { tenantEntityLoader } from '@compliance-graph/db';
import { AuditEventEntity } from './event/event.entity';
import type { LogService } from './log/log.service';
import type { AuditEventConnection } from './log/log.types';

export interface AuditLoaders {
  events: DataLoader<string, AuditEventEntity | null>;
  /** Trails batched per subject type and page: a list of N entities costs two queries, not 2N. */
  trail(subjectType: string, first: number, after: string | null): DataLoader<string, AuditEventConnection>;
}

export function createAuditLoaders(db: DataSource, log: LogService, principal: Principal | undefined): AuditLoaders {
  const trails = new Map<string, DataLoader<string, AuditEventConnection>>();
  return {
    events: tenantEntityLoader(db, principal?.tenantId, AuditEventEntity),
    trail(subjectType, first, after) {
      const key = JSON.stringify([subjectType, first, after]);
      if (!trails.has(key)) trails.set(key, new DataLoader((ids) => log.trails(principal!, subjectType, ids, first, after)));
      return trails.get(key)!;
    },
  };
}
