// The app packages imported for their migrations declare decorated classes, which need this first.
import 'reflect-metadata';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '@compliance-graph/config';
import { z } from 'zod';
import { restoreSchemas } from './archive';
import { loadStartConfig } from './config';
import { isDescribedFailure } from './launch-error';
import { createLauncherLog } from './log';
import { migrateAll } from './migrations';
import { subgraphs } from './services';

const USAGE = 'usage: npm run db:restore -- --from <file> --database <postgres:// URL of a fresh database>';

/**
 * `npm run db:restore -- --from FILE --database URL`: restores a db:backup archive into a fresh
 * database, then migrates it as db:migrate does (pending migrations of this code, and the login
 * passwords from DATABASE_ROLE_SECRET when set), so the platform starts on it directly.
 */
async function main(): Promise<number> {
  const log = createLauncherLog('info');
  let values: { from?: string; database?: string };
  try {
    values = parseArgs({ options: { from: { type: 'string' }, database: { type: 'string' } }, strict: true }).values;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const missing = (['from', 'database'] as const).filter((name) => !values[name]);
  if (missing.length) {
    process.stderr.write(`${missing.map((name) => `--${name}`).join(' and ')} required\n${USAGE}\n`);
    return 2;
  }
  try {
    const { database, DATABASE_ROLE_SECRET } = loadConfig(
      'db:restore',
      z.object({ database: z.string().url('--database must be a postgres:// URL'), DATABASE_ROLE_SECRET: z.string().min(1).optional() }),
      { ...process.env, database: values.database },
    );
    const services = subgraphs(loadStartConfig());
    const from = resolve(values.from!);
    await restoreSchemas(database, services.map((s) => s.database.schema), from);
    log.info(`restored ${from}`);
    await migrateAll(database, services, log, DATABASE_ROLE_SECRET);
    return 0;
  } catch (error) {
    log.error({ error }, isDescribedFailure(error) ? error.message : 'restore failed');
    return 1;
  }
}

void main().then((exitCode) => process.exit(exitCode));
