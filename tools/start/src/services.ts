import { join } from 'node:path';
import { GATEWAY, SUBGRAPH_NAMES, metricsPortVariable, portVariable, type ServiceName, type SubgraphName } from '@compliance-graph/config';
import type { ServiceSchema } from '@compliance-graph/db';
import { JWKS_PATH } from '@compliance-graph/identity';
import { SUBGRAPH_APPS } from './apps';
import type { StartConfig } from './config';
import type { DeploymentSecrets } from './secrets';

/** `npm start` runs everything on one machine, so nothing needs to listen beyond loopback. */
export const HOST = '127.0.0.1';

export interface ServiceDefinition {
  name: string;
  port: number;
  /** Where it serves /metrics (loopback, a port of its own). */
  metricsPort: number;
  /** Base URL, e.g. `http://127.0.0.1:4001`. */
  url: string;
  /** The built entry point, relative to the repository root. */
  script: string;
  /** The secrets this process uses, as the variables it reads, and no others (SUBGRAPH_SECRETS). */
  secrets: (secrets: DeploymentSecrets) => Record<string, string>;
}

export interface SubgraphDefinition extends ServiceDefinition {
  name: SubgraphName;
  database: ServiceSchema;
}

const service = (config: StartConfig, name: ServiceName, port: number, secrets: ServiceDefinition['secrets']): ServiceDefinition => ({
  name,
  port,
  metricsPort: config[metricsPortVariable(name)],
  url: `http://${HOST}:${port}`,
  script: join('apps', name, 'dist', 'main.js'),
  secrets,
});

const subgraph = (config: StartConfig, name: SubgraphName, port: number, database: ServiceSchema, secrets: ServiceDefinition['secrets']): SubgraphDefinition => ({
  ...service(config, name, port, secrets),
  name,
  database,
});

const routerSecret = (s: DeploymentSecrets) => ({ ROUTER_SECRET: s.ROUTER_SECRET });

/**
 * The secrets each subgraph uses, as the variables it reads, and no others: one compromised
 * process must not be able to sign tokens, checkpoints or proofpacks it does not own.
 */
const SUBGRAPH_SECRETS: Record<SubgraphName, ServiceDefinition['secrets']> = {
  identity: (s) => ({
    ...routerSecret(s),
    JWT_SIGNING_KEYS: s.JWT_SIGNING_KEYS,
    ENCRYPTION_KEY: s.ENCRYPTION_KEY,
    INTERNAL_SERVICE_TOKEN: s.IDENTITY_INGEST_TOKEN,
    EVIDENCE_REPORT_TOKEN: s.IDENTITY_REPORT_TOKEN,
    SUBPROCESSORS_DIRECTORY_TOKEN: s.SUBPROCESSORS_DIRECTORY_TOKEN,
  }),
  evidence: (s) => ({
    ...routerSecret(s),
    PROOFPACK_SIGNING_KEYS: s.PROOFPACK_SIGNING_KEYS,
    INTERNAL_SERVICE_TOKEN: s.EVIDENCE_INGEST_TOKEN,
    IDENTITY_REPORT_TOKEN: s.IDENTITY_REPORT_TOKEN,
  }),
  audit: (s) => ({
    ...routerSecret(s),
    AUDIT_SIGNING_KEYS: s.AUDIT_SIGNING_KEYS,
    // Every producer's credential, so the ingest knows which service sent a batch.
    INGEST_CREDENTIALS: JSON.stringify({ identity: s.IDENTITY_INGEST_TOKEN, evidence: s.EVIDENCE_INGEST_TOKEN, subprocessors: s.SUBPROCESSORS_INGEST_TOKEN }),
  }),
  subprocessors: (s) => ({
    ...routerSecret(s),
    INTERNAL_SERVICE_TOKEN: s.SUBPROCESSORS_INGEST_TOKEN,
    WEBHOOK_SECRET_KEY: s.WEBHOOK_SECRET_KEY,
    IDENTITY_DIRECTORY_TOKEN: s.SUBPROCESSORS_DIRECTORY_TOKEN,
  }),
};

/** Every registered subgraph, each with the Postgres schema and migrations it owns. */
export const subgraphs = (config: StartConfig): SubgraphDefinition[] =>
  SUBGRAPH_NAMES.map((name) => subgraph(config, name, config[portVariable(name)], SUBGRAPH_APPS[name].database, SUBGRAPH_SECRETS[name]));

export const gateway = (config: StartConfig): ServiceDefinition => service(config, GATEWAY.name, config[portVariable(GATEWAY.name)], routerSecret);

export const identityJwksUrl = (config: StartConfig) => `http://${HOST}:${config[portVariable('identity')]}${JWKS_PATH}`;

/** Where producing services' outbox relays deliver audit events. */
export const auditUrl = (config: StartConfig) => `http://${HOST}:${config[portVariable('audit')]}`;

/** Where the subprocessors service asks identity's directory. */
export const identityUrl = (config: StartConfig) => `http://${HOST}:${config[portVariable('identity')]}`;
/** Where clients reach the platform: the gateway's origin (the public feed's absolute links); a deployment behind a proxy sets PUBLIC_ORIGIN itself. */
export const publicOrigin = (config: StartConfig) => process.env.PUBLIC_ORIGIN ?? `http://${HOST}:${config[portVariable('gateway')]}`;

/** Where identity's outbox relay delivers access reviews' reports. */
export const evidenceUrl = (config: StartConfig) => `http://${HOST}:${config[portVariable('evidence')]}`;
