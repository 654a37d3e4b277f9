import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startEmbeddedPostgres, type RunningPostgres } from '@compliance-graph/db';
import type { StartConfig } from './config';
import { ensureKeysDir, readOrCreateKeyFile } from './key-files';
import { LaunchError, messageOf } from './launch-error';
import type { LauncherLog } from './log';
import type { Database } from './database';

const PASSWORD_FILE = 'postgres-password';
/**
 * The server's password is generated on the first start and kept with the other keys; without
 * it an existing cluster cannot be opened, so that case stops with instructions rather than
 * with an authentication error.
 */
async function serverPassword(config: StartConfig): Promise<string> {
  const { keysDir, postgresDir } = config.paths;
  const passwordFile = join(keysDir, PASSWORD_FILE);
  if (existsSync(join(postgresDir, 'PG_VERSION')) && !existsSync(passwordFile)) {
    throw new LaunchError(
      `${postgresDir} holds a database but its password file ${passwordFile} is missing: ` +
        `restore the file, or delete ${postgresDir} to start with an empty database`,
    );
  }
  ensureKeysDir(keysDir);
  const { value } = await readOrCreateKeyFile(keysDir, PASSWORD_FILE, () => randomBytes(24).toString('base64url'));
  return value;
}

/** Starts (creating on first use) the PostgreSQL server kept under DATA_DIR/postgres. */
export async function startEmbeddedDatabase(config: StartConfig, log: LauncherLog): Promise<Database> {
  const { postgresDir } = config.paths;
  const port = config.EMBEDDED_PG_PORT;
  const password = await serverPassword(config);
  const serverLog = log.named('postgres');
  log.info({ dir: postgresDir, port }, 'starting embedded PostgreSQL');
  let running: RunningPostgres;
  try {
    running = await startEmbeddedPostgres({ dataDir: postgresDir, port, password, log: (line) => serverLog.debug(line) });
  } catch (error) {
    throw new LaunchError(messageOf(error));
  }
  log.info({ port }, 'embedded PostgreSQL is up');
  return {
    url: running.url,
    stop: async () => {
      log.info('stopping embedded PostgreSQL');
      await running.stop();
      log.info('embedded PostgreSQL stopped');
    },
  };
}
