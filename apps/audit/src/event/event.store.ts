import type { EntityManager } from 'typeorm';
import type { ProducedRecord } from '@compliance-graph/audit-log';

/** A record as the log appends it: its position, the time it was recorded and its leaf hash. */
export interface AppendedRecord {
  record: ProducedRecord;
  seq: number;
  recordedAt: string;
  hash: Buffer;
}

/** How many events each subject has. */
export async function eventCounts(tx: EntityManager, subjectType: string, subjectIds: readonly string[]): Promise<Map<string, number>> {
  const rows: Array<{ subject_id: string; total: string }> = await tx.query(
    `SELECT subject_id, count(*) AS total FROM events WHERE subject_type = $1 AND subject_id = ANY($2) GROUP BY subject_id`,
    [subjectType, subjectIds],
  );
  return new Map(rows.map((row) => [row.subject_id, Number(row.total)]));
}

/** The seqs of the first `limit` events after seq `after` of each subject, in one statement whatever their number. */
export async function firstSeqsPerSubject(
  tx: EntityManager,
  subjectType: string,
  subjectIds: readonly string[],
  after: number,
  limit: number,
): Promise<number[]> {
  const rows: Array<{ seq: string }> = await tx.query(
    `SELECT seq FROM (
       SELECT seq, row_number() OVER (PARTITION BY subject_id ORDER BY seq) AS position
         FROM events WHERE subject_type = $1 AND subject_id = ANY($2) AND seq > $3) ranked
      WHERE position <= $4`,
    [subjectType, subjectIds, after, limit],
  );
  return rows.map((row) => Number(row.seq));
}

/** An event's position and leaf hash with its tenant's log size, in one round trip: proofs are the log's hot read. */
export async function eventLeafWithHead(
  tx: EntityManager,
  tenantId: string,
  eventId: string,
): Promise<{ seq: number; leafHash: Buffer; headSize: number } | undefined> {
  const [found]: Array<{ seq: string; leaf_hash: Buffer; head: string | null }> = await tx.query(
    `SELECT seq, leaf_hash, (SELECT size FROM log_heads WHERE tenant_id = $2) AS head FROM events WHERE id = $1`,
    [eventId, tenantId],
  );
  return found && { seq: Number(found.seq), leafHash: found.leaf_hash, headSize: Number(found.head ?? 0) };
}

/** Many events' positions and leaf hashes, each with its tenant's log size, in one round trip: a list of notices proves each announcement. */
export async function eventLeavesWithHead(
  tx: EntityManager,
  tenantId: string,
  eventIds: readonly string[],
): Promise<Map<string, { seq: number; leafHash: Buffer; headSize: number }>> {
  const rows: Array<{ id: string; seq: string; leaf_hash: Buffer; head: string | null }> = await tx.query(
    `SELECT id, seq, leaf_hash, (SELECT size FROM log_heads WHERE tenant_id = $2) AS head FROM events WHERE id = ANY($1)`,
    [eventIds, tenantId],
  );
  return new Map(rows.map((row) => [row.id, { seq: Number(row.seq), leafHash: row.leaf_hash, headSize: Number(row.head ?? 0) }]));
}

/** Which of these event ids the log already holds. */
export async function storedEventIds(tx: EntityManager, ids: readonly string[]): Promise<Set<string>> {
  const rows: Array<{ id: string }> = await tx.query(`SELECT id FROM events WHERE id = ANY($1)`, [ids]);
  return new Set(rows.map((row) => row.id));
}

/** Inserts a tenant's appended records in one statement: per-row inserts were most of an append's time. */
export async function insertEvents(tx: EntityManager, tenantId: string, rows: readonly AppendedRecord[]): Promise<void> {
  const column = <T>(pick: (row: AppendedRecord) => T) => rows.map(pick);
  await tx.query(
    `INSERT INTO events (tenant_id, seq, id, occurred_at, recorded_at, action, actor_kind, actor_id, subject_type,
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
}
