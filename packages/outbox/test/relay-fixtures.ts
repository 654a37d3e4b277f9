import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { createLogger, type Logger } from '@compliance-graph/config';
import { createDataSource, withTenant, type ConnectionRole } from '@compliance-graph/db';
import { admin, migrateForTests, testDatabaseUrl } from '@compliance-graph/testing';
import { createOutboxTable, enqueue, outboxDeadLettersMigration, outboxPerTopicMigration, outboxTraceContextMigration, type OutboxMessage } from '../src';

/** Each test file migrates its own schema, so no other file's relay or rows interfere. */
export async function migrateProbeSchema(schema: string): Promise<void> {
  class OutboxRelayProbe1764230400000 implements MigrationInterface {
    name = 'OutboxRelayProbe1764230400000';
    up = (runner: QueryRunner) => createOutboxTable(runner, schema);
    down = async (runner: QueryRunner) => void (await runner.query(`DROP TABLE ${schema}.outbox`));
  }
  await migrateForTests({ schema, migrations: [OutboxRelayProbe1764230400000, outboxDeadLettersMigration(schema), outboxPerTopicMigration(schema), outboxTraceContextMigration(schema)] });
}

export async function connect(schema: string, role: ConnectionRole, poolSize = 3): Promise<DataSource> {
  const dataSource = createDataSource({ databaseUrl: testDatabaseUrl(), schema, role, poolSize });
  return dataSource.initialize();
}

export function message(tenantId: string, topic = 'audit', payload: Record<string, unknown> = {}): OutboxMessage {
  return { id: randomUUID(), topic, tenantId, occurredAt: new Date().toISOString(), payload };
}

/** Enqueues through the request path (app role, tenant transaction), as services do. */
export async function enqueueFor(app: DataSource, schema: string, tenantId: string, ...topics: string[]): Promise<OutboxMessage[]> {
  const messages = topics.map((topic, n) => message(tenantId, topic, { n }));
  await withTenant(app, tenantId, (tx) => enqueue(tx, schema, ...messages));
  return messages;
}

export interface StoredRow {
  id: string;
  tenant_id: string;
  attempts: number;
  last_error: string | null;
  delivered: boolean;
  /** next_attempt_at minus the database's clock, in milliseconds. */
  retry_in_ms: number;
}

export async function storedRows(schema: string): Promise<StoredRow[]> {
  const { rows } = await admin().query(
    `SELECT id, tenant_id, attempts, last_error, delivered_at IS NOT NULL AS delivered,
            (EXTRACT(EPOCH FROM next_attempt_at - clock_timestamp()) * 1000)::float8 AS retry_in_ms
       FROM ${schema}.outbox ORDER BY position`,
  );
  return rows;
}

export const storedRow = async (schema: string, id: string) => (await storedRows(schema)).find((row) => row.id === id)!;

export async function pendingCount(schema: string): Promise<number> {
  const { rows } = await admin().query(`SELECT count(*)::int AS pending FROM ${schema}.outbox WHERE delivered_at IS NULL`);
  return rows[0].pending;
}

/** Stands in for time passing: the message's backoff has elapsed (or, with a positive delay, has not). */
export async function setNextAttempt(schema: string, id: string, fromNowMs = 0): Promise<void> {
  await admin().query(`UPDATE ${schema}.outbox SET next_attempt_at = clock_timestamp() + $2 * interval '1 millisecond' WHERE id = $1`, [id, fromNowMs]);
}

export async function waitFor(condition: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !(await condition()); await sleep(5)) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
  }
}

/** What a consumer acknowledged, one entry per successful call. */
export interface Reception {
  topic: string;
  tenantId: string;
  ids: string[];
}

export const idsOf = (messages: OutboxMessage[]) => messages.map((m) => m.id);

export const receivedIds = (receptions: Reception[], tenantId?: string) =>
  receptions.filter((r) => tenantId === undefined || r.tenantId === tenantId).flatMap((r) => r.ids);

/** Throws when a call mixes tenants or topics, which the relay promises never to do. */
export function receptionOf(topic: string, messages: OutboxMessage[]): Reception {
  const tenants = new Set(messages.map((m) => m.tenantId));
  const topics = new Set(messages.map((m) => m.topic));
  if (tenants.size !== 1 || topics.size !== 1 || !topics.has(topic)) throw new Error('a batch mixed tenants or topics');
  return { topic, tenantId: messages[0].tenantId, ids: idsOf(messages) };
}

export interface LogEntry {
  level: string;
  msg: string;
  fields: Record<string, unknown>;
}

/** The service logger (pino), keeping its entries for assertions instead of writing them. */
export function recordingLogger(entries: LogEntry[] = []): Logger & { entries: LogEntry[] } {
  const logger = createLogger('test', 'debug', {
    write(line: string) {
      const { level, msg, time: _time, service: _service, ...fields } = JSON.parse(line);
      entries.push({ level, msg, fields });
    },
  });
  return Object.assign(logger, { entries });
}
