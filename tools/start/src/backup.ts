// The app packages imported for their schemas declare decorated classes, which need this first.
import 'reflect-metadata';
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '@compliance-graph/config';
import { z } from 'zod';
import { backupSchemas } from './archive';
import { isDescribedFailure } from './launch-error';
import { createLauncherLog } from './log';
import { SUBGRAPH_DATABASES } from './apps';

const USAGE = 'usage: npm run db:backup -- --out <file or directory>   (DATABASE_URL: the database to back up)';

/** `--out` as given, or in a directory a new file named by the time, so scheduled backups do not overwrite each other. */
const archivePath = (out: string) =>
  statSync(out, { throwIfNoEntry: false })?.isDirectory() ? join(resolve(out), `compliance-graph-${new Date().toISOString().replace(/[:.]/g, '-')}.dump`) : resolve(out);

/**
 * `npm run db:backup -- --out FILE|DIRECTORY`: every registered service's schema at DATABASE_URL, in one
 * pg_dump custom-format archive, dumped by the pg_dump of the server's major version.
 */
async function main(): Promise<number> {
  const log = createLauncherLog('info');
  let out: string | undefined;
  try {
    ({ out } = parseArgs({ options: { out: { type: 'string' } }, strict: true }).values);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (!out) {
    process.stderr.write(`--out is required\n${USAGE}\n`);
    return 2;
  }
  try {
    const { DATABASE_URL } = loadConfig('db:backup', z.object({ DATABASE_URL: z.string().url('must be a postgres:// URL') }));
    const schemas = SUBGRAPH_DATABASES.map((service) => service.schema);
    const target = archivePath(out);
    const tools = await backupSchemas(DATABASE_URL, schemas, target);
    log.info({ schemas: schemas.join(','), pgDump: tools.pgDump }, `backed up to ${target}`);
    return 0;
  } catch (error) {
    log.error({ error }, isDescribedFailure(error) ? error.message : 'backup failed');
    return 1;
  }
}

void main().then((exitCode) => process.exit(exitCode));
