// The app packages declare decorated classes, which need this first.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { subgraphUrlEnv, type ServiceName, type SubgraphName } from '@compliance-graph/config';
import { loginPasswords, migrateServiceSchema, type LoginRole } from '@compliance-graph/db';
import { IDENTITY_SCHEMA, loadIdentityConfig, startIdentityService } from '@compliance-graph/identity';
import { EVIDENCE_SCHEMA, loadEvidenceConfig, startEvidenceService } from '@compliance-graph/evidence';
import { AUDIT_SCHEMA, loadAuditConfig, startAuditService } from '@compliance-graph/audit';
import { SUBPROCESSORS_SCHEMA, loadSubprocessorsConfig, startSubprocessorsService, type Clock } from '@compliance-graph/subprocessors';
import { InProcessSubgraphSource, loadGatewayConfig, startGateway, type GatewayOptions, type InProcessSubgraph } from '@compliance-graph/gateway';
import { loadHiveGatewayConfig, startHiveGateway } from '@compliance-graph/hive-gateway';
import { SUBGRAPH_DATABASES } from '@compliance-graph/start';
import { freePort } from '@compliance-graph/testing';


/** The committed supergraph at the repository root (same depth from src/ and dist/). */
export const SUPERGRAPH = resolve(__dirname, '../../../supergraph.graphql');

/** The two gateways that run the edge: ours (Apollo Gateway) and Hive Gateway with the edge as its plugin. */
export const GATEWAY_KINDS = ['apollo', 'hive'] as const;
export type GatewayKind = (typeof GATEWAY_KINDS)[number];

/** What the stack needs of a running gateway, whichever kind. */
export interface RunningGatewayOfKind {
  url: string;
  metricsUrl: string | undefined;
  routes: string[];
  stop(): Promise<void>;
}

/** A gateway of `kind` on `env` (its subgraph URLs, router secret, limits, ...); `options` are ours only. */
export function startGatewayOfKind(kind: GatewayKind, env: Record<string, string>, options?: GatewayOptions): Promise<RunningGatewayOfKind> {
  return kind === 'hive' ? startHiveGateway(loadHiveGatewayConfig(env)) : startGateway(loadGatewayConfig(env), options);
}

/** Migrates every schema, setting each service's login passwords from `roleSecret` (see loginPasswords). */
export async function migrateAll(databaseUrl: string, roleSecret: string): Promise<void> {
  for (const service of SUBGRAPH_DATABASES) await migrateServiceSchema(databaseUrl, service, loginPasswords(roleSecret, service.schema));
}

export interface StackOptions {
  /** A service's two login URLs, by its schema: it logs in as its own roles, as deployed (serviceLoginUrls). */
  databaseLogins: (schema: string) => Record<LoginRole, string>;
  /**
   * Every service's environment: ROUTER_SECRET, ENCRYPTION_KEY, INTERNAL_SERVICE_TOKEN, NODE_ENV,
   * ...; it may also override what the stack sets itself (e.g. JWT_SIGNING_KEYS).
   */
  env: Record<string, string>;
  /** JSON array of private Ed25519 JWKs: identity signs tokens with it, audit checkpoints, evidence proofpacks. */
  signingKeysJson: string;
  /** Added to identity's environment only (throttle limits, outbox polling, ...). */
  identity?: Record<string, string>;
  /** Added to evidence's environment only (outbox polling, upload limits, ...). */
  evidence?: Record<string, string>;
  /** Added to the subprocessors service's environment only (outbox polling, the scheduler's interval, ...). */
  subprocessors?: Record<string, string>;
  /** Added to the gateway's environment only. */
  gateway?: Record<string, string>;
  /** Which gateway runs in front of the subgraphs (default apollo, ours). */
  gatewayKind?: GatewayKind;
  /** Ours executes the subgraphs in this process, without HTTP (InProcessSubgraphSource); their own listeners still serve their routes. */
  inProcessSubgraphs?: boolean;
}

export interface Stack {
  gatewayUrl: string;
  gatewayKind: GatewayKind;
  /** Every route the gateway serves (RunningGateway.routes). */
  gatewayRoutes: string[];
  subgraphUrls: Record<SubgraphName, string>;
  /** Where a running service serves /metrics (each on a free port of its own); throws when it is stopped. */
  metricsUrl(service: ServiceName): string;
  /** Stops the audit service alone (producers keep working; their outboxes fill). */
  stopAudit(): Promise<void>;
  /** Starts it again on the same address. */
  startAudit(): Promise<void>;
  /** Stops the subprocessors service alone (its scheduler with it). */
  stopSubprocessors(): Promise<void>;
  /** Starts it again on the same address. */
  startSubprocessors(): Promise<void>;
  /** Starts one more subprocessors instance on the same database, on its own address (two instances at once), on `clock`'s time, `env` added. */
  startSubprocessorsInstance(options?: { clock?: Clock; env?: Record<string, string> }): Promise<RunningSubprocessors>;
  /** Stops the gateway, then every subgraph; safe to call more than once. */
  stop(): Promise<void>;
}

export type RunningSubprocessors = Awaited<ReturnType<typeof startSubprocessorsService>>;

interface Running {
  url: string;
  metricsUrl: string | undefined;
  stop(): Promise<void>;
}

type RunningSubgraph = Running & InProcessSubgraph;

/**
 * The whole platform in this process on ephemeral ports, talking real HTTP: the four
 * subgraphs on an already migrated database, then the gateway on the committed
 * supergraph.graphql. Whatever started before a failure is stopped before the error is
 * rethrown.
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  const env = { PORT: '0', METRICS_PORT: '0', ...options.env };
  const database = (schema: string) => {
    const logins = options.databaseLogins(schema);
    return { DATABASE_URL: logins.app, DATABASE_WORKER_URL: logins.worker };
  };
  // Identity delivers its audit events to the audit service and access reviews' reports to
  // evidence, which verify tokens with identity's keys: their addresses are fixed before any starts.
  const auditUrl = `http://127.0.0.1:${await freePort()}`;
  const evidenceUrl = `http://127.0.0.1:${await freePort()}`;
  const subprocessorsUrl = `http://127.0.0.1:${await freePort()}`;
  // Identity's credential for evidence's report route, its own like each ingest credential.
  const reportToken = randomBytes(32).toString('base64url');
  // The subprocessors service's credential for identity's directory, likewise its own.
  const directoryToken = randomBytes(32).toString('base64url');
  let audit: RunningSubgraph | undefined;
  let subprocessors: RunningSubgraph | undefined;
  const instances: Running[] = [];
  let gateway: Running | undefined;
  const subgraphs: RunningSubgraph[] = [];
  const stop = async () => {
    const stopping = gateway;
    gateway = undefined;
    await stopping?.stop();
    const outcomes = await Promise.allSettled(
      [...instances.splice(0), ...subgraphs.splice(0), ...(subprocessors ? [subprocessors] : []), ...(audit ? [audit] : [])].map((service) => service.stop()),
    );
    audit = undefined;
    subprocessors = undefined;
    const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failed) throw failed.reason;
  };
  try {
    const identityConfig = loadIdentityConfig({
      AUDIT_URL: auditUrl,
      EVIDENCE_URL: evidenceUrl,
      EVIDENCE_REPORT_TOKEN: reportToken,
      SUBPROCESSORS_DIRECTORY_TOKEN: directoryToken,
      JWT_SIGNING_KEYS: options.signingKeysJson,
      ...env,
      ...database(IDENTITY_SCHEMA),
      ...options.identity,
    });
    const identity = await startIdentityService(identityConfig);
    subgraphs.push(identity);
    const withJwks = { ...env, IDENTITY_JWKS_URL: `${identity.url}/.well-known/jwks.json` };
    // Each producer presents its own credential to the ingest, which accepts only its records.
    const evidenceIngestToken = randomBytes(32).toString('base64url');
    const subprocessorsIngestToken = randomBytes(32).toString('base64url');
    const startAudit = () =>
      startAuditService(
        loadAuditConfig({
          ...withJwks,
          ...database(AUDIT_SCHEMA),
          PORT: new URL(auditUrl).port,
          AUDIT_SIGNING_KEYS: options.signingKeysJson,
          INGEST_CREDENTIALS: JSON.stringify({
            identity: identityConfig.INTERNAL_SERVICE_TOKEN,
            evidence: evidenceIngestToken,
            subprocessors: subprocessorsIngestToken,
          }),
        }),
      );
    const startSubprocessorsOn = (port: string, clock?: Clock, extra?: Record<string, string>) =>
      startSubprocessorsService(
        loadSubprocessorsConfig({
          IDENTITY_DIRECTORY_TOKEN: directoryToken,
          // The webhook key is the subprocessors service's own (a test may set it through `env`).
          WEBHOOK_SECRET_KEY: randomBytes(32).toString('base64'),
          ...withJwks,
          ...database(SUBPROCESSORS_SCHEMA),
          PORT: port,
          AUDIT_URL: auditUrl,
          INTERNAL_SERVICE_TOKEN: subprocessorsIngestToken,
          IDENTITY_URL: identity.url,
          ...options.subprocessors,
          ...extra,
        }),
        { clock },
      );
    const started = await Promise.allSettled([
      startEvidenceService(
        loadEvidenceConfig({
          ...withJwks,
          ...database(EVIDENCE_SCHEMA),
          PORT: new URL(evidenceUrl).port,
          AUDIT_URL: auditUrl,
          INTERNAL_SERVICE_TOKEN: evidenceIngestToken,
          PROOFPACK_SIGNING_KEYS: options.signingKeysJson,
          IDENTITY_REPORT_TOKEN: reportToken,
          ...options.evidence,
        }),
      ),
      startSubprocessorsOn(new URL(subprocessorsUrl).port),
      startAudit(),
    ]);
    if (started[0].status === 'fulfilled') subgraphs.push(started[0].value);
    if (started[1].status === 'fulfilled') subprocessors = started[1].value;
    if (started[2].status === 'fulfilled') audit = started[2].value;
    const failed = started.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failed) throw failed.reason;
    const evidence = subgraphs[1];
    const subgraphUrls = { identity: identity.url, evidence: evidence.url, audit: auditUrl, subprocessors: subprocessorsUrl };
    const gatewayKind = options.gatewayKind ?? 'apollo';
    const gatewayEnv: Record<string, string> = { ...env, ...options.gateway, ...subgraphUrlEnv(subgraphUrls), SUPERGRAPH_PATH: SUPERGRAPH };
    const inProcess: Record<string, InProcessSubgraph | undefined> = { identity, evidence, audit, subprocessors };
    const inProcessSource = (name: string) => {
      const subgraph = inProcess[name];
      if (!subgraph) throw new Error(`supergraph names subgraph "${name}", which this stack does not run`);
      return new InProcessSubgraphSource(subgraph, gatewayEnv.ROUTER_SECRET);
    };
    const running = await startGatewayOfKind(gatewayKind, gatewayEnv, options.inProcessSubgraphs ? { subgraphSource: inProcessSource } : undefined);
    gateway = running;
    return {
      gatewayUrl: running.url,
      gatewayKind,
      gatewayRoutes: running.routes,
      subgraphUrls,
      metricsUrl(service) {
        const url = { gateway, identity, evidence, audit, subprocessors }[service]?.metricsUrl;
        if (!url) throw new Error(`${service} serves no /metrics now`);
        return url;
      },
      async stopAudit() {
        const stopping = audit;
        audit = undefined;
        await stopping?.stop();
      },
      async startAudit() {
        audit ??= await startAudit();
      },
      async stopSubprocessors() {
        const stopping = subprocessors;
        subprocessors = undefined;
        await stopping?.stop();
      },
      async startSubprocessors() {
        subprocessors ??= await startSubprocessorsOn(new URL(subprocessorsUrl).port);
      },
      async startSubprocessorsInstance(instance) {
        const started = await startSubprocessorsOn('0', instance?.clock, instance?.env);
        instances.push(started);
        return started;
      },
      stop,
    };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}
