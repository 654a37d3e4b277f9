// The app packages imported for their migrations declare decorated classes, which need this first.
import 'reflect-metadata';
import { loadConfig } from '@compliance-graph/config';
import { z } from 'zod';
import { loadStartConfig } from './config';
import { isDescribedFailure } from './launch-error';
import { createLauncherLog } from './log';
import { migrateAll } from './migrations';
import { subgraphs } from './services';

/**
 * `npm run db:migrate`: brings every schema at DATABASE_URL up to date (roles included) and
 * exits; for CI and deployments that migrate before rolling out the services. With
 * DATABASE_ROLE_SECRET it also sets the services' login passwords derived from it.
 */
async function main(): Promise<number> {
  const log = createLauncherLog('info');
  try {
    const { DATABASE_URL, DATABASE_ROLE_SECRET } = loadConfig(
      'db:migrate',
      z.object({ DATABASE_URL: z.string().url('must be a postgres:// URL'), DATABASE_ROLE_SECRET: z.string().min(1).optional() }),
    );
    await migrateAll(DATABASE_URL, subgraphs(loadStartConfig()), log, DATABASE_ROLE_SECRET);
    return 0;
  } catch (error) {
    log.error({ error }, isDescribedFailure(error) ? error.message : 'migration failed');
    return 1;
  }
}

void main().then((exitCode) => process.exit(exitCode));
