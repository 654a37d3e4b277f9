import { LaunchError } from './launch-error';
import type { LauncherLog } from './log';
import { waitUntilReady } from './readiness';
import { ServiceProcess, describeExit } from './service-process';
import type { ServiceDefinition } from './services';

/**
 * The services the launcher runs. Any of them exiting before the group is told to stop is a
 * failure of the whole: `unexpectedExit` rejects with that service's name.
 */
export class ServiceGroup {
  readonly unexpectedExit: Promise<never>;
  private readonly processes: ServiceProcess[] = [];
  private stopping = false;
  private reportUnexpectedExit!: (error: LaunchError) => void;

  /** `shutdown` aborts on Ctrl-C: from then on, services exiting (on that same Ctrl-C) is expected. */
  constructor(
    private readonly log: LauncherLog,
    private readonly shutdown: AbortSignal,
  ) {
    this.unexpectedExit = new Promise<never>((_, reject) => (this.reportUnexpectedExit = reject));
    // It may reject before anything awaits it; that is not an unhandled rejection.
    this.unexpectedExit.catch(() => undefined);
  }

  /**
   * Spawns the services together and resolves once every one of them reports ready; rejects
   * when one does not come up in time or exits, and then stops waiting for the others.
   */
  async start<Definition extends ServiceDefinition>(
    services: Definition[],
    envFor: (service: Definition) => NodeJS.ProcessEnv,
    readyTimeoutMs: number,
  ): Promise<void> {
    const started = services.map((service) => this.spawn(service, envFor(service)));
    const settled = new AbortController();
    const signal = AbortSignal.any([settled.signal, this.shutdown]);
    try {
      await Promise.race([
        Promise.all(
          started.map(async ({ definition }) => {
            await waitUntilReady(definition, { timeoutMs: readyTimeoutMs, signal });
            this.log.info({ url: definition.url }, `${definition.name} is ready`);
          }),
        ),
        this.unexpectedExit,
      ]);
    } finally {
      settled.abort();
    }
  }

  /** Stops every service (SIGTERM, then SIGKILL after `graceMs`) and waits until all are gone. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    await Promise.all(this.processes.map((service) => service.stop(graceMs, this.log)));
  }

  private spawn(definition: ServiceDefinition, env: NodeJS.ProcessEnv): ServiceProcess {
    const service = ServiceProcess.spawn(definition, env, this.log);
    this.processes.push(service);
    void service.exited.then((status) => {
      if (this.stopping || this.shutdown.aborted) return;
      this.reportUnexpectedExit(new LaunchError(`${definition.name} exited unexpectedly (${describeExit(status)})`));
    });
    return service;
  }
}
