import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import type { Principal } from '@compliance-graph/auth';
import { tenantEntityLoader } from '@compliance-graph/db';
import { AuditEventEntity } from './event/event.entity';
import type { LogService } from './log/log.service';
import type { AuditEventConnection, AuditInclusionProof } from './log/log.types';
import { announcementsOf } from './notice/notice.service';

export interface AuditLoaders {
  events: DataLoader<string, AuditEventEntity | null>;
  /** Trails batched per subject type and page: a list of N entities costs two queries, not 2N. */
  trail(subjectType: string, first: number, after: string | null): DataLoader<string, AuditEventConnection>;
  /** By subprocessor change id: its announcement event, one statement per batch. */
  announcements: DataLoader<string, AuditEventEntity | null>;
  /** By event id: its inclusion proof against the log's head, a batch in one transaction with one checkpoint. */
  inclusionProofs: DataLoader<string, AuditInclusionProof>;
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
    announcements: new DataLoader(async (changeIds) => (principal ? announcementsOf(db, principal, changeIds) : changeIds.map(() => null))),
    inclusionProofs: new DataLoader((eventIds) => log.inclusionProofsAtHead(principal!, eventIds)),
  };
}
