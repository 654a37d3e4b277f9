import type { DataSource, EntityManager } from 'typeorm';
import { assertSchemaName } from '@compliance-graph/db';
import type { OutboxMessage } from './message';

/** The SQL of the relay, for one service's outbox table and one topic. */
export interface OutboxStore {
  /** Tenants whose oldest undelivered message is due, the longest waiting first. */
  dueTenants(): Promise<string[]>;
  /** False when another relay is delivering this tenant right now. */
  tryLockTenant(tx: EntityManager, tenantId: string): Promise<boolean>;
  /** The tenant's next messages, or null when its oldest message is not due; unordered, the due ones except `skip` (ids). */
  nextBatch(tx: EntityManager, tenantId: string, limit: number, skip?: string[]): Promise<OutboxBatch | null>;
  markDelivered(tx: EntityManager, batch: OutboxBatch): Promise<void>;
  markFailed(tx: EntityManager, batch: OutboxBatch, error: string, retryInMs: number): Promise<void>;
  /**
   * The consumer refused the batch (4xx): counts a refusal against its head and sets the head
   * aside as dead once it alone was refused `refusalsBeforeDead` times. True when it died.
   */
  markRefused(tx: EntityManager, batch: OutboxBatch, error: string, retryInMs: number): Promise<boolean>;
  backlog(): Promise<OutboxBacklog>;
  /** Whether the connection sees every tenant's rows (the worker role), not one tenant's. */
  bypassesRowLevelSecurity(): Promise<boolean>;
}

export interface OutboxBatch {
  tenantId: string;
  topic: string;
  /** Failed attempts of the batch's first message so far. */
  attempts: number;
  positions: string[];
  messages: OutboxMessage[];
  /** The trace context each message was written in (null: none), for the delivery's span links. */
  traceparents: (string | null)[];
}

export interface OutboxBacklog {
  pending: number;
  oldestAgeSeconds: number | null;
  /** Messages set aside after their consumer refused them; kept until replayed (`npm run operator -- outbox retry`). */
  dead: number;
}

interface PendingRow {
  position: string;
  id: string;
  topic: string;
  tenant_id: string;
  occurred_at: Date;
  payload: Record<string, unknown>;
  attempts: number;
  refusals: number;
  due: boolean;
  traceparent: string | null;
}

export function outboxStore(
  dataSource: DataSource,
  schema: string,
  topic: string,
  refusalsBeforeDead: number,
  ordering: 'tenant' | 'none' = 'tenant',
): OutboxStore {
  const table = `${assertSchemaName(schema)}.outbox`;
  const ordered = ordering === 'tenant';

  const deadCount = async () => {
    const [row]: { dead: number }[] = await dataSource.query(
      `SELECT count(*)::int AS dead FROM ${table} WHERE dead_at IS NOT NULL AND topic = $1`,
      [topic],
    );
    return row.dead;
  };

  return {
    async dueTenants() {
      if (!ordered) {
        const rows: { tenant_id: string }[] = await dataSource.query(
          `SELECT tenant_id FROM ${table}
            WHERE delivered_at IS NULL AND dead_at IS NULL AND topic = $1 AND next_attempt_at <= clock_timestamp()
            GROUP BY tenant_id ORDER BY min(position)`,
          [topic],
        );
        return rows.map((row) => row.tenant_id);
      }
      // A loose index scan: one index probe per tenant on outbox_pending finds each tenant's
      // head, so a poll costs O(tenants) however long the backlog is (DISTINCT ON would read
      // every pending row). Only the head decides whether a tenant is due: its later messages
      // wait for its backoff, whatever their own next_attempt_at says.
      const rows: { tenant_id: string }[] = await dataSource.query(
        `WITH RECURSIVE heads AS (
           (SELECT tenant_id, position, next_attempt_at FROM ${table}
             WHERE delivered_at IS NULL AND dead_at IS NULL AND topic = $1
             ORDER BY tenant_id, position LIMIT 1)
           UNION ALL
           SELECT next.* FROM heads CROSS JOIN LATERAL (
             SELECT tenant_id, position, next_attempt_at FROM ${table}
              WHERE delivered_at IS NULL AND dead_at IS NULL AND topic = $1 AND tenant_id > heads.tenant_id
              ORDER BY tenant_id, position LIMIT 1) next
         )
         SELECT tenant_id FROM heads WHERE next_attempt_at <= clock_timestamp() ORDER BY position`,
        [topic],
      );
      return rows.map((row) => row.tenant_id);
    },

    async tryLockTenant(tx, tenantId) {
      // Keyed by schema, topic and tenant: relays of other services and topics never contend.
      // A hash collision only makes a relay skip a tenant until its next poll.
      const [row]: { locked: boolean }[] = await tx.query(
        `SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked`,
        [`outbox:${schema}:${topic}:${tenantId}`],
      );
      return row.locked;
    },

    async nextBatch(tx, tenantId, limit, skip = []) {
      // Unordered, only due messages are read: a message waiting for its retry is no head of line.
      const rows: PendingRow[] = await tx.query(
        `SELECT position, id, topic, tenant_id, occurred_at, payload, attempts, refusals, traceparent, next_attempt_at <= clock_timestamp() AS due
           FROM ${table}
          WHERE tenant_id = $2 AND delivered_at IS NULL AND dead_at IS NULL AND topic = $1
            AND ($4 OR (next_attempt_at <= clock_timestamp() AND NOT id = ANY($5::uuid[])))
          ORDER BY position LIMIT $3`,
        [topic, tenantId, limit, ordered, skip],
      );
      if (rows.length === 0 || !rows[0].due) return null;
      // Once the consumer refused a batch, its head goes alone: a refusal then names one message.
      return batchOf(rows[0].refusals > 0 ? rows.slice(0, 1) : rows);
    },

    async markDelivered(tx, batch) {
      // clock_timestamp(), not now(): the transaction began before the consumer was called.
      await tx.query(`UPDATE ${table} SET delivered_at = clock_timestamp() WHERE position = ANY($1::bigint[])`, [batch.positions]);
    },

    async markFailed(tx, batch, error, retryInMs) {
      await tx.query(
        `UPDATE ${table}
            SET attempts = attempts + 1, last_error = $2,
                next_attempt_at = clock_timestamp() + $3 * interval '1 millisecond'
          WHERE position = ANY($1::bigint[])`,
        [batch.positions, error, retryInMs],
      );
    },

    async markRefused(tx, batch, error, retryInMs) {
      // For UPDATE ... RETURNING, TypeORM answers [rows, affected].
      const [[head]]: [{ dead: boolean }[], number] = await tx.query(
        `UPDATE ${table}
            SET attempts = attempts + 1, refusals = refusals + 1, last_error = $2,
                next_attempt_at = clock_timestamp() + $3 * interval '1 millisecond',
                dead_at = CASE WHEN $4 AND refusals + 1 >= $5 THEN clock_timestamp() END
          WHERE position = $1 RETURNING dead_at IS NOT NULL AS dead`,
        [batch.positions[0], error, retryInMs, batch.positions.length === 1, refusalsBeforeDead],
      );
      if (batch.positions.length > 1) {
        await tx.query(`UPDATE ${table} SET attempts = attempts + 1, last_error = $2 WHERE position = ANY($1::bigint[])`, [batch.positions.slice(1), error]);
      }
      return head.dead;
    },

    async backlog() {
      const [row]: { pending: string; oldest: string | null }[] = await dataSource.query(
        `SELECT count(*) AS pending, EXTRACT(EPOCH FROM clock_timestamp() - min(created_at)) AS oldest
           FROM ${table} WHERE delivered_at IS NULL AND dead_at IS NULL AND topic = $1`,
        [topic],
      );
      return { pending: Number(row.pending), oldestAgeSeconds: row.oldest === null ? null : Number(row.oldest), dead: await deadCount() };
    },

    async bypassesRowLevelSecurity() {
      const [row]: { bypasses: boolean }[] = await dataSource.query(
        `SELECT rolsuper OR rolbypassrls AS bypasses FROM pg_roles WHERE rolname = current_user`,
      );
      return row?.bypasses === true;
    },
  };
}

function batchOf(rows: PendingRow[]): OutboxBatch {
  return {
    tenantId: rows[0].tenant_id,
    topic: rows[0].topic,
    attempts: rows[0].attempts,
    positions: rows.map((row) => row.position),
    messages: rows.map((row) => ({
      id: row.id,
      topic: row.topic,
      tenantId: row.tenant_id,
      occurredAt: row.occurred_at.toISOString(),
      payload: row.payload,
    })),
    traceparents: rows.map((row) => row.traceparent),
  };
}

export interface DeadMessage {
  id: string;
  tenantId: string;
  topic: string;
  occurredAt: string;
  deadAt: string;
  refusals: number;
  lastError: string | null;
}

/** The dead messages of one service's outbox, for the operator: listed, and replayed after a fix. */
export function deadLetters(dataSource: DataSource, schema: string) {
  const table = `${assertSchemaName(schema)}.outbox`;
  return {
    async list(): Promise<DeadMessage[]> {
      const rows: Array<{ id: string; tenant_id: string; topic: string; occurred_at: Date; dead_at: Date; refusals: number; last_error: string | null }> =
        await dataSource.query(`SELECT id, tenant_id, topic, occurred_at, dead_at, refusals, last_error FROM ${table} WHERE dead_at IS NOT NULL ORDER BY position`);
      return rows.map((row) => ({
        id: row.id,
        tenantId: row.tenant_id,
        topic: row.topic,
        occurredAt: row.occurred_at.toISOString(),
        deadAt: row.dead_at.toISOString(),
        refusals: row.refusals,
        lastError: row.last_error,
      }));
    },

    /** Puts dead messages (all, or those ids) back in line at their own position; returns their ids. */
    async retry(ids: string[] | 'all'): Promise<string[]> {
      const [rows]: [Array<{ id: string }>, number] = await dataSource.query(
        `UPDATE ${table} SET dead_at = NULL, refusals = 0, next_attempt_at = clock_timestamp()
          WHERE dead_at IS NOT NULL AND ($1::uuid[] IS NULL OR id = ANY($1::uuid[])) RETURNING id`,
        [ids === 'all' ? null : ids],
      );
      return rows.map((row) => row.id);
    },
  };
}
