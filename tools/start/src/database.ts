import type { StartConfig } from './config';
import { startEmbeddedDatabase } from './embedded-database';
import type { LauncherLog } from './log';

export interface Database {
  /** Superuser URL: migrations need CREATEROLE, and services step down to their own roles. */
  url: string;
  stop(): Promise<void>;
}

/** The server at DATABASE_URL when one is configured (left running on exit), else the embedded one. */
export async function startDatabase(config: StartConfig, log: LauncherLog): Promise<Database> {
  if (!config.DATABASE_URL) return startEmbeddedDatabase(config, log);
  log.info('using the PostgreSQL server at DATABASE_URL');
  return { url: config.DATABASE_URL, stop: async () => undefined };
}
