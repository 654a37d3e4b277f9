import type { DataSource, EntityManager } from 'typeorm';
import { withTenant } from '@compliance-graph/db';
import type { ExportRecord } from '@compliance-graph/audit-log';
import { AuditEventEntity } from '../event/event.entity';
import { headSize } from '../log/log-head.store';
import type { LogScope } from '../log/log.service';

/** Rows are read in keyset pages of this size, so an export of any length holds one page in memory. */
const PAGE = 1000;

export interface ExportWindow {
  from?: Date;
  to?: Date;
}

/** What an export will serve: the records below `treeSize` in the window, `records` of them. */
export interface ExportPlan {
  treeSize: number;
  records: number;
}

/** The window's records below `size`, after seq `after`, in seq order. */
function windowQuery(tx: EntityManager, size: number, window: ExportWindow, after = -1) {
  const query = tx
    .createQueryBuilder(AuditEventEntity, 'e')
    .where('e.seq > :after AND e.seq < :size', { after, size })
    .orderBy('e.seq', 'ASC');
  if (window.from) query.andWhere('e.occurredAt >= :from', { from: window.from });
  if (window.to) query.andWhere('e.occurredAt < :to', { to: window.to });
  return query;
}

export class ExportService {
  constructor(private readonly db: DataSource) {}

  /** The log's size now (the export covers exactly the records below it) and how many it serves. */
  plan(principal: LogScope, window: ExportWindow): Promise<ExportPlan> {
    return withTenant(this.db, principal, async (tx) => {
      const treeSize = await headSize(tx, principal.tenantId);
      return { treeSize, records: await windowQuery(tx, treeSize, window).getCount() };
    });
  }

  /**
   * The records with seq below `treeSize`, in seq order, a page at a time. Records below the
   * head never change (append-only), so pages read in separate transactions still form one
   * consistent snapshot of the log at that size.
   */
  async *records(principal: LogScope, treeSize: number, window: ExportWindow): AsyncGenerator<ExportRecord> {
    let after = -1;
    for (;;) {
      const page = await withTenant(this.db, principal, (tx) => windowQuery(tx, treeSize, window, after).take(PAGE).getMany());
      for (const event of page) yield event.toExportRecord();
      if (page.length < PAGE) return;
      after = page[page.length - 1].seq;
    }
  }
}
