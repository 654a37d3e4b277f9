import { randomBytes } from 'node:crypto';
import { appendFileSync, chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { GATEWAY, SUBGRAPH_NAMES, metricsPortVariable, portVariable } from '@compliance-graph/config';
import { startEmbeddedPostgres, type RunningPostgres } from '@compliance-graph/db';
import { loadStartConfig, type StartConfig } from './config';
import { createLauncherLog, type LauncherLog } from './log';
import { migrateAll } from './migrations';
import { waitUntilReady } from './readiness';
import { resolveDeploymentSecrets, type DeploymentSecrets } from './secrets';
import { gatewayEnv, subgraphEnv } from './service-env';
import { ServiceProcess } from './service-process';
import { HOST, gateway, subgraphs, type ServiceDefinition, type SubgraphDefinition } from './services';

const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;

/** A gateway started besides the platform's own, on the same subgraphs (another build, another gateway). */
export interface ExtraGateway {
  /** Names it in logs and in `pid`. */
  name: string;
  /** Its built entry point, relative to the repository root or absolute. */
  script: string;
}

/**
 * The platform as `npm start` runs it (each service its own process, the launcher's
 * environments and secrets), on an embedded PostgreSQL of its own (its own port and data
 * directory, never a shared server), with a hand on every process: a fault run kills any of
 * them, the database included, and starts it again; a benchmark reads their CPU time.
 */
export class ProcessPlatform {
  private readonly processes = new Map<string, ServiceProcess>();
  private postgres!: RunningPostgres;
  private readonly subgraphList: SubgraphDefinition[];
  private readonly gatewayService: ServiceDefinition;
  /** The database as its superuser, for checking what was stored. */
  admin!: Pool;

  private constructor(
    private readonly config: StartConfig,
    private nextExtraPort: number,
    /** The deployment's secrets: a benchmark signs in to a subgraph directly, as the gateway does. */
    readonly secrets: DeploymentSecrets,
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

  subgraphUrl(name: string): string {
    return this.definition(name).url;
  }

  /** The process id of a running service (its CPU time and memory are in /proc/<pid>). */
  pid(name: string): number {
    const running = this.processes.get(name);
    if (!running) throw new Error(`${name} is not running`);
    return running.pid;
  }

  /** The environment the launcher gives `name` (a subgraph or the gateway): its logins, secrets and addresses. */
  serviceEnv(name: string): NodeJS.ProcessEnv {
    const definition = this.definition(name);
    return name === 'gateway'
      ? gatewayEnv(this.secrets, definition, this.subgraphList)
      : subgraphEnv(this.config, this.postgres.url, this.secrets, definition as SubgraphDefinition);
  }

  /** `label` names its temporary directory, its log file and its launcher log lines (`faults`, `bench`). */
  static async start(label: string, serviceEnv: Record<string, string>): Promise<ProcessPlatform> {
    const dataDir = mkdtempSync(join(tmpdir(), `cg-${label}-`));
    // Run as root, PostgreSQL runs as the `postgres` user, which must reach the data directory.
    chmodSync(dataDir, 0o755);
    const base = 31000 + Math.floor(Math.random() * 20000);
    const services = [GATEWAY.name, ...SUBGRAPH_NAMES];
    const metricsBase = base + services.length + 1;
    // Extra gateways take the ports after those.
    const extraPorts = metricsBase + services.length;
    const config = loadStartConfig({
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      ...Object.fromEntries(services.map((name, i) => [portVariable(name), String(base + i)])),
      ...Object.fromEntries(services.map((name, i) => [metricsPortVariable(name), String(metricsBase + i)])),
      EMBEDDED_PG_PORT: String(base + services.length),
    });
    // The services' errors during an outage are the expected kind: they go to a file, not the terminal.
    const serviceLog = join(tmpdir(), `cg-${label}-${base}.log`);
    const log: LauncherLog = Object.assign(createLauncherLog('warn', label), {
      service: (name: string, line: string) => appendFileSync(serviceLog, `${name} | ${line}\n`),
    });
    // The services' own settings pass through the launcher's environment to every process.
    Object.assign(process.env, serviceEnv, { LOG_LEVEL: 'error' });
    const platform = new ProcessPlatform(config, extraPorts, await resolveDeploymentSecrets(config, log), randomBytes(18).toString('base64url'), log, serviceLog);
    await platform.startPostgres();
    await migrateAll(platform.postgres.url, platform.subgraphList, log, platform.secrets.DATABASE_ROLE_SECRET);
    await Promise.all(platform.subgraphList.map((service) => platform.startService(service.name)));
    await platform.startService('gateway');
    return platform;
  }

  private readonly extraGateways = new Map<string, ServiceDefinition>();

  private definition(name: string): ServiceDefinition {
    const found = name === 'gateway' ? this.gatewayService : (this.extraGateways.get(name) ?? this.subgraphList.find((service) => service.name === name));
    if (!found) throw new Error(`no service ${name}`);
    return found;
  }

  async startService(name: string): Promise<void> {
    const definition = this.definition(name);
    const env = this.extraGateways.has(name) ? gatewayEnv(this.secrets, definition, this.subgraphList) : this.serviceEnv(name);
    this.processes.set(name, ServiceProcess.spawn(definition, env, this.log));
    await waitUntilReady(definition, { timeoutMs: READY_TIMEOUT_MS, signal: AbortSignal.timeout(READY_TIMEOUT_MS) });
  }

  /** Starts `gateway` on ports of its own with the gateway's environment; resolves to its URL once ready. */
  async startExtraGateway(gateway: ExtraGateway): Promise<string> {
    const port = this.nextExtraPort;
    this.nextExtraPort += 2;
    const definition = { ...this.gatewayService, ...gateway, port, metricsPort: port + 1, url: `http://${HOST}:${port}` };
    this.extraGateways.set(gateway.name, definition);
    await this.startService(gateway.name);
    return definition.url;
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
