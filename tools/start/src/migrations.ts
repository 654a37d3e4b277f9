import { loginPasswords, migrateServiceSchema } from '@compliance-graph/db';
import { LaunchError, messageOf } from './launch-error';
import type { LauncherLog } from './log';
import type { SubgraphDefinition } from './services';

/**
 * Brings every service's schema up to date before any service starts, one after the other so
 * the log reads in order (role bootstrap serialises on an advisory lock anyway). With
 * `roleSecret`, each service's login passwords are (re)set from it; without, left as they are.
 */
export async function migrateAll(
  databaseUrl: string,
  services: SubgraphDefinition[],
  log: LauncherLog,
  roleSecret?: string,
): Promise<void> {
  for (const { name, database } of services) {
    let applied: string[];
    try {
      applied = await migrateServiceSchema(databaseUrl, database, roleSecret ? loginPasswords(roleSecret, database.schema) : undefined);
    } catch (error) {
      throw new LaunchError(`migrating ${name} (schema ${database.schema}) failed: ${messageOf(error)}`, {
        cause: error,
      });
    }
    if (applied.length) log.info({ applied: applied.join(',') }, `migrated ${name}`);
    else log.info(`${name} schema is up to date`);
  }
}
