import type { DataSource, EntityManager } from 'typeorm';
import { badUserInput } from '@compliance-graph/auth';
import { withTenant } from '@compliance-graph/db';
import { leafHashOf, producedRecord, type ProducedRecord, type UnhashedRecord } from '../event/audit-record';
import { TreeStore } from '../log/tree-store';

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
      const parsed = producedRecord.safeParse(message);
      if (!parsed.success) throw badUserInput(`record ${position}: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
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
    await tx.query(`INSERT INTO audit.log_heads (tenant_id, size) VALUES ($1, 0) ON CONFLICT (tenant_id) DO NOTHING`, [tenantId]);
    const [head]: Array<{ size: string }> = await tx.query(`SELECT size FROM audit.log_heads WHERE tenant_id = $1 FOR UPDATE`, [tenantId]);
    let size = Number(head.size);
    const known: Array<{ id: string }> = await tx.query(`SELECT id FROM audit.events WHERE id = ANY($1)`, [records.map((r) => r.id)]);
    const seen = new Set(known.map((row) => row.id));
    const tree = new TreeStore(tx, tenantId);
    let appended = 0;
    for (const record of records) {
      if (seen.has(record.id)) continue;
      seen.add(record.id);
      const unhashed: UnhashedRecord = { ...record, seq: size, recordedAt: new Date().toISOString() };
      const hash = leafHashOf(unhashed);
      await tx.query(
        `INSERT INTO audit.events (tenant_id, seq, id, occurred_at, recorded_at, action, actor_kind, actor_id, subject_type,
                                   subject_id, service, ip, user_agent, reason, data, leaf_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
        [
          tenantId, size, record.id, record.occurredAt, unhashed.recordedAt, record.action, record.actorKind, record.actorId,
          record.subjectType, record.subjectId, record.service, record.ip, record.userAgent, record.reason,
          JSON.stringify(record.data), hash,
        ],
      );
      await tree.append(size, hash);
      size += 1;
      appended += 1;
    }
    if (appended > 0) await tx.query(`UPDATE audit.log_heads SET size = $2 WHERE tenant_id = $1`, [tenantId, size]);
    return { appended, duplicates: records.length - appended };
  }
}
