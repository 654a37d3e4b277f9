import type { DataSource } from 'typeorm';
import type { Principal } from '@compliance-graph/auth';
import { withTenant } from '@compliance-graph/db';
import type { ExportRecord } from '../event/audit-record';
import { AuditEventEntity } from '../event/event.entity';
import { headSize } from '../log/log-head';

/** Rows are read in keyset pages of this size, so an export of any length holds one page in memory. */
const PAGE = 1000;

export interface ExportWindow {
  from?: Date;
  to?: Date;
}

export class ExportService {
  constructor(private readonly db: DataSource) {}

  /** The log's size now: the export covers exactly the records below it. */
  treeSize(principal: Principal): Promise<number> {
    return withTenant(this.db, principal, (tx) => headSize(tx, principal.tenantId));
  }

  /**
   * The records with seq below `treeSize`, in seq order, a page at a time. Records below the
   * head never change (append-only), so pages read in separate transactions still form one
   * consistent snapshot of the log at that size.
   */
  async *records(principal: Principal, treeSize: number, window: ExportWindow): AsyncGenerator<ExportRecord> {
    let after = -1;
    for (;;) {
      const page = await withTenant(this.db, principal, (tx) => {
        const query = tx
          .createQueryBuilder(AuditEventEntity, 'e')
          .where('e.seq > :after AND e.seq < :size', { after, size: treeSize })
          .orderBy('e.seq', 'ASC')
          .take(PAGE);
        if (window.from) query.andWhere('e.occurredAt >= :from', { from: window.from });
        if (window.to) query.andWhere('e.occurredAt < :to', { to: window.to });
        return query.getMany();
      });
      for (const event of page) yield event.toExportRecord();
      if (page.length < PAGE) return;
      after = page[page.length - 1].seq;
    }
  }
}
