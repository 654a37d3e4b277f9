import { randomBytes } from 'node:crypto';
import { appendFileSync, chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { GATEWAY, SUBGRAPH_NAMES, portVariable } from '@compliance-graph/config';
import { startEmbeddedPostgres, type RunningPostgres } from '@compliance-graph/db';
import {
  ServiceProcess,
  createLauncherLog,
  gateway,
  gatewayEnv,
  loadStartConfig,
  migrateAll,
  resolveDeploymentSecrets,
  subgraphEnv,
  subgraphs,
  waitUntilReady,
  type DeploymentSecrets,
  type LauncherLog,
  type ServiceDefinition,
  type StartConfig,
  type SubgraphDefinition,
} from '@compliance-graph/start';

const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;

/**
 * The platform as `npm start` runs it (each service its own process, the launcher's
 * environments and secrets), on an embedded PostgreSQL of its own (its own port and data
 * directory, never a shared server), with a hand on every process: a fault run kills any of
 * them, the database included, and starts it again.
 */
export class Platform {
  private readonly processes = new Map<string, ServiceProcess>();
  private postgres!: RunningPostgres;
  private readonly subgraphList: SubgraphDefinition[];
  private readonly gatewayService: ServiceDefinition;
  /** The database as its superuser, for checking what was stored. */
  admin!: Pool;

  private constructor(
    private readonly config: StartConfig,
    private readonly secrets: DeploymentSecrets,
    private readonly password: string,
    private readonly log: LauncherLog,
    /** Where every service's output goes. */
    readonly serviceLog: string,
  ) {
    this.subgraphList = subgraphs(config);
    this.gatewayService = gateway(config);
  }

  get gatewayUrl(): string {
    return this.gatewayService.url;
  }

  static async start(serviceEnv: Record<string, string>): Promise<Platform> {
    const dataDir = mkdtempSync(join(tmpdir(), 'cg-faults-'));
    // Run as root, PostgreSQL runs as the `postgres` user, which must reach the data directory.
    chmodSync(dataDir, 0o755);
    const base = 31000 + Math.floor(Math.random() * 20000);
    const services = [GATEWAY.name, ...SUBGRAPH_NAMES];
    const config = loadStartConfig({
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      ...Object.fromEntries(services.map((name, i) => [portVariable(name), String(base + i)])),
      EMBEDDED_PG_PORT: String(base + services.length),
    });
    // The services' errors during an outage are the expected kind: they go to a file, not the terminal.
    const serviceLog = join(tmpdir(), `cg-faults-${base}.log`);
    const log: LauncherLog = Object.assign(createLauncherLog('warn', 'faults'), {
      service: (name: string, line: string) => appendFileSync(serviceLog, `${name} | ${line}\n`),
    });
    // The services' own settings pass through the launcher's environment to every process.
    Object.assign(process.env, serviceEnv, { LOG_LEVEL: 'error' });
    const platform = new Platform(config, await resolveDeploymentSecrets(config, log), randomBytes(18).toString('base64url'), log, serviceLog);
    await platform.startPostgres();
    await migrateAll(platform.postgres.url, platform.subgraphList, log, platform.secrets.DATABASE_ROLE_SECRET);
    await Promise.all(platform.subgraphList.map((service) => platform.startService(service.name)));
    await platform.startService('gateway');
    return platform;
  }

  private definition(name: string): ServiceDefinition {
    const found = name === 'gateway' ? this.gatewayService : this.subgraphList.find((service) => service.name === name);
    if (!found) throw new Error(`no service ${name}`);
    return found;
  }

  async startService(name: string): Promise<void> {
    const definition = this.definition(name);
    const env =
      name === 'gateway'
        ? gatewayEnv(this.secrets, definition, this.subgraphList)
        : subgraphEnv(this.config, this.postgres.url, this.secrets, definition as SubgraphDefinition);
    this.processes.set(name, ServiceProcess.spawn(definition, env, this.log));
    await waitUntilReady(definition, { timeoutMs: READY_TIMEOUT_MS, signal: AbortSignal.timeout(READY_TIMEOUT_MS) });
  }

  /** SIGKILL: no drain, no shutdown hook, the relay dies in whatever it was doing. */
  async killService(name: string): Promise<void> {
    const running = this.processes.get(name);
    if (!running) throw new Error(`${name} is not running`);
    this.processes.delete(name);
    running.kill('SIGKILL');
    await running.exited;
  }

  /** SIGKILL of the postmaster: every connection of every service breaks at once. */
  async killPostgres(): Promise<void> {
    await this.admin.end();
    const pid = Number(readFileSync(join(this.config.paths.postgresDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 100; i++) {
      try {
        process.kill(pid, 0);
      } catch {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('postgres survived SIGKILL');
  }

  async startPostgres(): Promise<void> {
    this.postgres = await startEmbeddedPostgres({ dataDir: this.config.paths.postgresDir, port: this.config.EMBEDDED_PG_PORT, password: this.password });
    this.admin = new Pool({ connectionString: this.postgres.url, max: 2 });
    // An idle connection broken by a fault (the server restarting) is an 'error' event, which
    // would end the run unheard; the pool replaces it on the next query.
    this.admin.on('error', (error) => this.log.warn({ error: error.message }, 'admin connection lost'));
  }

  /** Every service answers /readyz again (after the database came back, say). */
  async waitUntilAllReady(): Promise<void> {
    await Promise.all(
      [...this.subgraphList, this.gatewayService].map((service) =>
        waitUntilReady(service, { timeoutMs: READY_TIMEOUT_MS, signal: AbortSignal.timeout(READY_TIMEOUT_MS) }),
      ),
    );
  }

  async stop(): Promise<void> {
    await Promise.all([...this.processes.values()].map((running) => running.stop(STOP_GRACE_MS, this.log)));
    this.processes.clear();
    await this.admin?.end().catch(() => undefined);
    await this.postgres?.stop();
    rmSync(this.config.paths.dataDir, { recursive: true, force: true });
  }
}
