import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { LaunchError } from './launch-error';
import type { LauncherLog } from './log';
import type { ServiceDefinition } from './services';

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

export const describeExit = ({ code, signal, error }: ExitStatus) =>
  error ? `could not run: ${error.message}` : signal ? `killed by ${signal}` : `exit code ${code}`;

/** Resolves true when `promise` settles within `ms`, false otherwise, leaving no timer behind. */
function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    const settled = () => {
      clearTimeout(timer);
      resolve(true);
    };
    promise.then(settled, settled);
  });
}

/** One service running as a child process of the launcher, its output relayed line by line. */
export class ServiceProcess {
  /** Resolves once the process is gone and everything it printed has been relayed. */
  readonly exited: Promise<ExitStatus>;
  private status?: ExitStatus;

  private constructor(
    readonly definition: ServiceDefinition,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => {
      const settle = (status: ExitStatus) => {
        this.status ??= status;
        resolve(this.status);
      };
      child.once('close', (code, signal) => settle({ code, signal }));
      child.once('error', (error) => settle({ code: null, signal: null, error }));
    });
  }

  /**
   * Not detached: the service stays in the launcher's process group, so a Ctrl-C, or a
   * `kill -- -<pgid>` after the launcher itself was killed outright, still reaches it.
   */
  static spawn(definition: ServiceDefinition, env: NodeJS.ProcessEnv, log: LauncherLog): ServiceProcess {
    if (!existsSync(definition.script)) {
      throw new LaunchError(`${definition.name}: ${definition.script} does not exist; run \`npm run build\` first`);
    }
    // Source-mapped stack traces cost every `new Error()` a lookup (some HTTP clients make one per
    // request); in production a log's stack names the built file and line, which is enough.
    const sourceMaps = env.NODE_ENV === 'production' ? [] : ['--enable-source-maps'];
    const child = spawn(process.execPath, [...sourceMaps, definition.script], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of ['stdout', 'stderr'] as const) {
      createInterface({ input: child[stream]!, crlfDelay: Infinity }).on('line', (line) =>
        log.service(definition.name, line, stream),
      );
    }
    return new ServiceProcess(definition, child);
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.definition.name} has no process`);
    return this.child.pid;
  }

  /** `signal` at once, with no grace period: what a fault run does to a service. */
  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** SIGTERM lets the service drain its requests and close its pool; SIGKILL if it takes too long. */
  async stop(graceMs: number, log: LauncherLog): Promise<void> {
    if (this.status) return;
    this.child.kill('SIGTERM');
    if (await settlesWithin(this.exited, graceMs)) return;
    log.warn(`${this.definition.name} did not stop within ${graceMs / 1000} s; killing it`);
    this.child.kill('SIGKILL');
    await this.exited;
  }
}
