import { Client } from 'pg';
import { MigrationExecutor, type EntityManager, type MixedList } from 'typeorm';
import { bootstrapServiceSchema } from './bootstrap';
import { createDataSource } from './data-source';
import type { LoginPasswords } from './logins';

export interface ServiceSchema {
  /** The Postgres schema the service owns, e.g. `identity`. */
  schema: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function>;
}

/** Records a run that applied migrations (their names, in order), in the run's own transaction. */
export type RecordMigrations = (tx: EntityManager, applied: string[]) => Promise<void>;

/**
 * Bootstraps roles and schema (setting the login passwords when given), then runs the pending
 * migrations as the schema's owner, all in one transaction with `record` of them (when given):
 * the migrations and their record commit together or not at all. Serialised per schema, so
 * parallel starters (test workers, replicas) cannot race.
 */
export async function migrateServiceSchema(databaseUrl: string, service: ServiceSchema, passwords?: LoginPasswords, record?: RecordMigrations): Promise<string[]> {
  const lock = new Client({ connectionString: databaseUrl });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock(hashtext($1))', [`compliance-graph-migrate:${service.schema}`]);
    return await runMigrations(databaseUrl, service, passwords, record);
  } finally {
    await lock.end();
  }
}

async function runMigrations(databaseUrl: string, service: ServiceSchema, passwords?: LoginPasswords, record?: RecordMigrations): Promise<string[]> {
  await bootstrapServiceSchema(databaseUrl, service.schema, passwords);
  const dataSource = createDataSource({
    databaseUrl,
    schema: service.schema,
    role: 'owner',
    migrations: service.migrations,
    poolSize: 1,
  });
  await dataSource.initialize();
  try {
    return await dataSource.transaction(async (tx) => {
      // Given a runner already in a transaction, the executor runs every migration inside it.
      const applied = (await new MigrationExecutor(dataSource, tx.queryRunner).executePendingMigrations()).map((m) => m.name);
      if (applied.length > 0) await record?.(tx, applied);
      return applied;
    });
  } finally {
    await dataSource.destroy();
  }
}
