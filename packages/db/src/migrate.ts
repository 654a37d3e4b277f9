import { Client } from 'pg';
import type { MixedList } from 'typeorm';
import { bootstrapServiceSchema } from './bootstrap';
import { createDataSource } from './data-source';
import type { LoginPasswords } from './logins';

export interface ServiceSchema {
  /** The Postgres schema the service owns, e.g. `identity`. */
  schema: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function>;
}

/**
 * Bootstraps roles and schema (setting the login passwords when given), then runs the pending
 * migrations as the schema's owner. Serialised per schema, so parallel starters (test workers,
 * replicas) cannot race.
 */
export async function migrateServiceSchema(databaseUrl: string, service: ServiceSchema, passwords?: LoginPasswords): Promise<string[]> {
  const lock = new Client({ connectionString: databaseUrl });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock(hashtext($1))', [`compliance-graph-migrate:${service.schema}`]);
    return await runMigrations(databaseUrl, service, passwords);
  } finally {
    await lock.end();
  }
}

async function runMigrations(databaseUrl: string, service: ServiceSchema, passwords?: LoginPasswords): Promise<string[]> {
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
    const ran = await dataSource.runMigrations({ transaction: 'each' });
    return ran.map((m) => m.name);
  } finally {
    await dataSource.destroy();
  }
}
