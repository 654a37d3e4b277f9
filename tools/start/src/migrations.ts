import { basename } from 'node:path';
import { PLATFORM_TENANT_ID } from '@compliance-graph/auth';
import { loginPasswords, migrateServiceSchema, type RecordMigrations } from '@compliance-graph/db';
import { platformActor, recordPlatformAudit } from '@compliance-graph/outbox';
import { LaunchError, messageOf } from './launch-error';
import type { LauncherLog } from './log';
import type { SubgraphDefinition } from './services';

/**
 * A run that applied migrations, recorded in the platform audit log through the service's own
 * outbox, in the run's transaction (as the schema's owner, scoped to the platform origin, which
 * its outbox's row-level security requires); the service's relay delivers it.
 */
const recordIn =
  (service: string, schema: string, actor: string): RecordMigrations =>
  async (tx, applied) => {
    await tx.query(`SELECT set_config('app.tenant_id', $1, true)`, [PLATFORM_TENANT_ID]);
    await recordPlatformAudit(tx, { schema, name: service }, {
      action: 'platform.migrations_applied',
      subjectType: 'Service',
      subjectId: service,
      actor,
      tool: `migrations (${basename(process.argv[1] ?? 'node')})`,
      data: { schema, migrations: applied },
    });
  };

/**
 * Brings every service's schema up to date before any service starts, one after the other so
 * the log reads in order (role bootstrap serialises on an advisory lock anyway); each run that
 * applied migrations is recorded in the platform audit log. With
 * `roleSecret`, each service's login passwords are (re)set from it; without, left as they are.
 */
export async function migrateAll(
  databaseUrl: string,
  services: SubgraphDefinition[],
  log: LauncherLog,
  roleSecret?: string,
): Promise<void> {
  const actor = platformActor();
  for (const { name, database } of services) {
    let applied: string[];
    try {
      const passwords = roleSecret ? loginPasswords(roleSecret, database.schema) : undefined;
      applied = await migrateServiceSchema(databaseUrl, database, passwords, recordIn(name, database.schema, actor));
    } catch (error) {
      throw new LaunchError(`migrating ${name} (schema ${database.schema}) failed: ${messageOf(error)}`, {
        cause: error,
      });
    }
    if (applied.length) log.info({ applied: applied.join(',') }, `migrated ${name}`);
    else log.info(`${name} schema is up to date`);
  }
}
