import type { DataSource, EntityManager } from 'typeorm';
import { badUserInput } from '@compliance-graph/auth';
import { withTenant } from '@compliance-graph/db';
import { TreeStore } from '../log/tree-store';
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
  constructor(private readonly db: DataSource) {}

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
      result.appended += appended;
      result.duplicates += duplicates;
    }
    return result;
  }

  private async append(tx: EntityManager, tenantId: string, records: ProducedRecord[]): Promise<IngestResult> {
    let size = await this.lockHead(tx, tenantId);
    // After the lock, in a statement of its own: its snapshot must include the previous holder's commit.
    const known: Array<{ id: string }> = await tx.query(`SELECT id FROM audit.events WHERE id = ANY($1)`, [records.map((r) => r.id)]);
    const seen = new Set(known.map((row) => row.id));
    const tree = new TreeStore(tx, tenantId);
    // Appending reads only the subtrees that make up the current root, so one query fetches them all.
    await tree.prefetch((source) => rootHash(source, size));
    const rows: Array<{ record: ProducedRecord; seq: number; recordedAt: string; hash: Buffer }> = [];
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
      // One statement per table for the whole batch: per-row inserts were most of an append's time.
      const column = <T>(pick: (row: (typeof rows)[number]) => T) => rows.map(pick);
      await tx.query(
        `INSERT INTO audit.events (tenant_id, seq, id, occurred_at, recorded_at, action, actor_kind, actor_id, subject_type,
                                   subject_id, service, ip, user_agent, reason, data, leaf_hash)
         SELECT $1, * FROM unnest($2::bigint[], $3::uuid[], $4::timestamptz[], $5::timestamptz[], $6::text[], $7::text[],
                                  $8::uuid[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[],
                                  $15::jsonb[], $16::bytea[])`,
        [
          tenantId,
          column((r) => r.seq),
          column((r) => r.record.id),
          column((r) => r.record.occurredAt),
          column((r) => r.recordedAt),
          column((r) => r.record.action),
          column((r) => r.record.actorKind),
          column((r) => r.record.actorId),
          column((r) => r.record.subjectType),
          column((r) => r.record.subjectId),
          column((r) => r.record.service),
          column((r) => r.record.ip),
          column((r) => r.record.userAgent),
          column((r) => r.record.reason),
          column((r) => JSON.stringify(r.record.data)),
          column((r) => r.hash),
        ],
      );
      await tree.flush();
    }
    if (appended > 0) await tx.query(`UPDATE audit.log_heads SET size = $2 WHERE tenant_id = $1`, [tenantId, size]);
    return { appended, duplicates: records.length - appended };
  }

  /** Takes the tenant's head row lock (creating the head on its first append) and returns the log's size. */
  private async lockHead(tx: EntityManager, tenantId: string): Promise<number> {
    const lock = (): Promise<Array<{ size: string }>> =>
      tx.query(`SELECT size FROM audit.log_heads WHERE tenant_id = $1 FOR UPDATE`, [tenantId]);
    let [head] = await lock();
    if (!head) {
      // Two first appends may race to create it; the loser's insert does nothing and it queues on the lock.
      await tx.query(`INSERT INTO audit.log_heads (tenant_id, size) VALUES ($1, 0) ON CONFLICT (tenant_id) DO NOTHING`, [tenantId]);
      [head] = await lock();
    }
    return Number(head.size);
  }
}
