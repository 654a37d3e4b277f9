import type { DataSource, EntityManager } from 'typeorm';
import { badUserInput } from '@compliance-graph/auth';
import { withTenant } from '@compliance-graph/db';
import { insertEvents, storedEventIds, type AppendedRecord } from '../event/event.store';
import { advanceHead, lockHead } from '../log/log-head.store';
import { TreeStore } from '../log/tree.store';
import type { IngestMetrics } from './ingest.metrics';
import { auditRecordSchema, describeIssues, leafHashOf, rootHash, type ProducedRecord, type UnhashedRecord } from '@compliance-graph/audit-log';

export interface IngestResult {
  appended: number;
  duplicates: number;
}

/**
 * Appends producers' records to their tenants' logs. Per tenant, one transaction holds the
 * log head's row lock, so appends are serialised: contiguous seqs, no forks, no gaps. Records
 * already in the log (same event id, e.g. a relay retrying) are skipped, so delivery may be
 * at least once while the log holds each event exactly once.
 */
export class IngestService {
  constructor(
    private readonly db: DataSource,
    private readonly metrics: IngestMetrics,
  ) {}

  async ingest(messages: unknown[]): Promise<IngestResult> {
    const records = messages.map((message, position) => {
      const parsed = auditRecordSchema.safeParse(message);
      if (!parsed.success) throw badUserInput(`record ${position}: ${describeIssues(parsed.error)}`);
      return parsed.data;
    });
    const byTenant = new Map<string, ProducedRecord[]>();
    for (const record of records) byTenant.set(record.tenantId, [...(byTenant.get(record.tenantId) ?? []), record]);
    const result: IngestResult = { appended: 0, duplicates: 0 };
    for (const [tenantId, tenantRecords] of byTenant) {
      const { appended, duplicates } = await withTenant(this.db, tenantId, (tx) => this.append(tx, tenantId, tenantRecords));
      // Counted once committed, so a rolled-back append never shows as appended.
      this.metrics.appended.inc(appended);
      result.appended += appended;
      result.duplicates += duplicates;
    }
    return result;
  }

  private async append(tx: EntityManager, tenantId: string, records: ProducedRecord[]): Promise<IngestResult> {
    const locked = this.metrics.headLockWait.startTimer();
    let size = await lockHead(tx, tenantId);
    locked();
    // After the lock, in a statement of its own: its snapshot must include the previous holder's commit.
    const seen = await storedEventIds(tx, records.map((r) => r.id));
    const tree = new TreeStore(tx, tenantId);
    // Appending reads only the subtrees that make up the current root, so one query fetches them all.
    await tree.prefetch((source) => rootHash(source, size));
    const rows: AppendedRecord[] = [];
    for (const record of records) {
      if (seen.has(record.id)) continue;
      seen.add(record.id);
      const unhashed: UnhashedRecord = { ...record, seq: size, recordedAt: new Date().toISOString() };
      const hash = leafHashOf(unhashed);
      await tree.append(size, hash);
      rows.push({ record, seq: size, recordedAt: unhashed.recordedAt, hash });
      size += 1;
    }
    const appended = rows.length;
    if (appended > 0) {
      await insertEvents(tx, tenantId, rows);
      await tree.flush();
      await advanceHead(tx, tenantId, size);
    }
    return { appended, duplicates: records.length - appended };
  }
}
