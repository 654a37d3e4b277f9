import type { EntityManager, MigrationInterface, QueryRunner } from 'typeorm';
import { currentTraceparent } from '@compliance-graph/config';
import { assertSchemaName, enableTenantRls } from '@compliance-graph/db';
import type { OutboxMessage } from './message';

/**
 * Stores messages in the caller's transaction: they commit or roll back with the state
 * change they describe, so an acknowledged write never loses its event. The transaction must
 * be scoped to the message's tenant (withTenant); row-level security refuses any other. Any
 * number of messages is one statement (a completed access review writes one per change).
 * Each row keeps the trace context of the request that wrote it (null when tracing is off), in a
 * column of its own, so the relay's delivery links to it and the message itself is unchanged.
 */
export async function enqueue(tx: EntityManager, schema: string, ...messages: OutboxMessage<object>[]): Promise<void> {
  if (messages.length === 0) return;
  const column = <T>(pick: (message: OutboxMessage<object>) => T) => messages.map(pick);
  await tx.query(
    `INSERT INTO ${assertSchemaName(schema)}.outbox (id, topic, tenant_id, occurred_at, payload, traceparent)
     SELECT *, $6::text FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::timestamptz[], $5::jsonb[])`,
    [
      column((m) => m.id),
      column((m) => m.topic),
      column((m) => m.tenantId),
      column((m) => m.occurredAt),
      column((m) => JSON.stringify(m.payload)),
      currentTraceparent(),
    ],
  );
}

/** Migration step: the service's outbox table, tenant-scoped like every tenant table. */
export async function createOutboxTable(runner: QueryRunner, schema: string): Promise<void> {
  const table = `${assertSchemaName(schema)}.outbox`;
  await runner.query(`
    CREATE TABLE ${table} (
      position      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      id            uuid NOT NULL UNIQUE,
      topic         text NOT NULL,
      tenant_id     uuid NOT NULL,
      occurred_at   timestamptz(3) NOT NULL,
      payload       jsonb NOT NULL,
      created_at    timestamptz NOT NULL DEFAULT now(),
      attempts      integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      last_error    text,
      delivered_at  timestamptz
    )`);
  await runner.query(
    `CREATE INDEX outbox_pending ON ${table} (tenant_id, position) WHERE delivered_at IS NULL`,
  );
  await enableTenantRls(runner, schema, 'outbox');
}

/** After this many refusals by the consumer (4xx) a message is set aside as dead. */
export const REFUSALS_BEFORE_DEAD = 3;

/**
 * The migration that lets a relay set aside a message its consumer refuses (dead_at), so
 * the tenant's later messages flow on; dead messages stay in the table until replayed.
 * One class per service, each named with the same timestamp in its own migrations table.
 */
export function outboxDeadLettersMigration(schema: string): new () => MigrationInterface {
  const table = `${assertSchemaName(schema)}.outbox`;
  return class OutboxDeadLetters1764921600000 implements MigrationInterface {
    name = 'OutboxDeadLetters1764921600000';

    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`ALTER TABLE ${table} ADD COLUMN refusals integer NOT NULL DEFAULT 0, ADD COLUMN dead_at timestamptz`);
      await runner.query(`DROP INDEX ${assertSchemaName(schema)}.outbox_pending`);
      await runner.query(`CREATE INDEX outbox_pending ON ${table} (tenant_id, position) WHERE delivered_at IS NULL AND dead_at IS NULL`);
      await runner.query(`CREATE INDEX outbox_dead ON ${table} (position) WHERE dead_at IS NOT NULL`);
    }

    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`DROP INDEX ${assertSchemaName(schema)}.outbox_dead`);
      await runner.query(`DROP INDEX ${assertSchemaName(schema)}.outbox_pending`);
      await runner.query(`CREATE INDEX outbox_pending ON ${table} (tenant_id, position) WHERE delivered_at IS NULL`);
      await runner.query(`ALTER TABLE ${table} DROP COLUMN refusals, DROP COLUMN dead_at`);
    }
  };
}

/**
 * The migration that indexes pending messages by topic first: each topic has its own relay,
 * whose one-probe-per-tenant scan then never walks another topic's backlog.
 */
export function outboxPerTopicMigration(schema: string): new () => MigrationInterface {
  const table = `${assertSchemaName(schema)}.outbox`;
  const index = `${assertSchemaName(schema)}.outbox_pending`;
  return class OutboxPerTopic1765180800000 implements MigrationInterface {
    name = 'OutboxPerTopic1765180800000';

    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`DROP INDEX ${index}`);
      await runner.query(`CREATE INDEX outbox_pending ON ${table} (topic, tenant_id, position) WHERE delivered_at IS NULL AND dead_at IS NULL`);
    }

    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`DROP INDEX ${index}`);
      await runner.query(`CREATE INDEX outbox_pending ON ${table} (tenant_id, position) WHERE delivered_at IS NULL AND dead_at IS NULL`);
    }
  };
}

/**
 * The migration that keeps each message's trace context (its W3C traceparent) beside it, for
 * the relay's span to link to; never part of the message delivered or hashed.
 */
export function outboxTraceContextMigration(schema: string): new () => MigrationInterface {
  const table = `${assertSchemaName(schema)}.outbox`;
  return class OutboxTraceContext1765872000000 implements MigrationInterface {
    name = 'OutboxTraceContext1765872000000';

    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`ALTER TABLE ${table} ADD COLUMN traceparent text`);
    }

    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`ALTER TABLE ${table} DROP COLUMN traceparent`);
    }
  };
}
