import { DataSource, type EntitySchema, type MixedList } from 'typeorm';
import { connectionOptions } from './connection';
import { assertConfinedLogin, type LoginRole } from './logins';
import type { ConnectionRole } from './roles';

export interface DataSourceOptions {
  databaseUrl: string;
  schema: string;
  role: ConnectionRole;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities?: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations?: MixedList<Function | string>;
  poolSize?: number;
}

/** A TypeORM DataSource for one service schema, connected as one of the service's roles. */
export function createDataSource(options: DataSourceOptions): DataSource {
  const { connectionString, options: startup } = connectionOptions(options.databaseUrl, options.schema, options.role);
  return new DataSource({
    type: 'postgres',
    url: connectionString,
    schema: options.schema,
    entities: options.entities ?? [],
    migrations: options.migrations ?? [],
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    extra: { max: options.poolSize ?? 10, options: startup, application_name: `cg-${options.schema}-${options.role}` },
  });
}

/**
 * A running service's pool, initialised: it must log in as the schema's `role` itself, and a
 * URL that could become another role is refused before the service serves anything.
 * `variable` names the setting the URL came from, for the error.
 */
export async function openServicePool(options: DataSourceOptions & { role: LoginRole; variable: string }): Promise<DataSource> {
  const dataSource = createDataSource(options);
  await dataSource.initialize();
  try {
    await assertConfinedLogin(dataSource, options.schema, options.role, options.variable);
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  return dataSource;
}
