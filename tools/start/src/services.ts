import { join } from 'node:path';
import { AUDIT_SCHEMA, auditMigrations } from '@compliance-graph/audit';
import type { ServiceSchema } from '@compliance-graph/db';
import { EVIDENCE_SCHEMA, evidenceMigrations } from '@compliance-graph/evidence';
import { IDENTITY_SCHEMA, JWKS_PATH, identityMigrations } from '@compliance-graph/identity';
import { SUBPROCESSORS_SCHEMA, subprocessorsMigrations } from '@compliance-graph/subprocessors';
import type { StartConfig } from './config';
import type { DeploymentSecrets } from './secrets';

/** `npm start` runs everything on one machine, so nothing needs to listen beyond loopback. */
export const HOST = '127.0.0.1';

export interface ServiceDefinition {
  name: string;
  port: number;
  /** Base URL, e.g. `http://127.0.0.1:4001`. */
  url: string;
  /** The built entry point, relative to the repository root. */
  script: string;
  /**
   * The secrets this process uses, as the variables it reads, and no others: one compromised
   * process must not be able to sign tokens, checkpoints or proofpacks it does not own.
   */
  secrets: (secrets: DeploymentSecrets) => Record<string, string>;
}

export interface SubgraphDefinition extends ServiceDefinition {
  database: ServiceSchema;
}

const service = (name: string, port: number, secrets: ServiceDefinition['secrets']): ServiceDefinition => ({
  name,
  port,
  url: `http://${HOST}:${port}`,
  script: join('apps', name, 'dist', 'main.js'),
  secrets,
});

const subgraph = (name: string, port: number, database: ServiceSchema, secrets: ServiceDefinition['secrets']): SubgraphDefinition => ({
  ...service(name, port, secrets),
  database,
});

const routerSecret = (s: DeploymentSecrets) => ({ ROUTER_SECRET: s.ROUTER_SECRET });

/** The four subgraphs, each with the Postgres schema and migrations it owns. */
export function subgraphs(config: StartConfig): SubgraphDefinition[] {
  return [
    subgraph('identity', config.IDENTITY_PORT, { schema: IDENTITY_SCHEMA, migrations: identityMigrations }, (s) => ({
      ...routerSecret(s),
      JWT_SIGNING_KEYS: s.JWT_SIGNING_KEYS,
      ENCRYPTION_KEY: s.ENCRYPTION_KEY,
      INTERNAL_SERVICE_TOKEN: s.IDENTITY_INGEST_TOKEN,
    })),
    subgraph('evidence', config.EVIDENCE_PORT, { schema: EVIDENCE_SCHEMA, migrations: evidenceMigrations }, (s) => ({
      ...routerSecret(s),
      PROOFPACK_SIGNING_KEYS: s.PROOFPACK_SIGNING_KEYS,
    })),
    subgraph('audit', config.AUDIT_PORT, { schema: AUDIT_SCHEMA, migrations: auditMigrations }, (s) => ({
      ...routerSecret(s),
      AUDIT_SIGNING_KEYS: s.AUDIT_SIGNING_KEYS,
      // Every producer's credential, so the ingest knows which service sent a batch.
      INGEST_CREDENTIALS: JSON.stringify({ identity: s.IDENTITY_INGEST_TOKEN }),
    })),
    subgraph('subprocessors', config.SUBPROCESSORS_PORT, { schema: SUBPROCESSORS_SCHEMA, migrations: subprocessorsMigrations }, routerSecret),
  ];
}

export const gateway = (config: StartConfig): ServiceDefinition => service('gateway', config.GATEWAY_PORT, routerSecret);

export const identityJwksUrl = (config: StartConfig) => `http://${HOST}:${config.IDENTITY_PORT}${JWKS_PATH}`;

/** Where producing services' outbox relays deliver audit events. */
export const auditUrl = (config: StartConfig) => `http://${HOST}:${config.AUDIT_PORT}`;
