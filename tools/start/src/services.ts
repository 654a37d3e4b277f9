import { join } from 'node:path';
import { AUDIT_SCHEMA, auditMigrations } from '@compliance-graph/audit';
import type { ServiceSchema } from '@compliance-graph/db';
import { EVIDENCE_SCHEMA, evidenceMigrations } from '@compliance-graph/evidence';
import { IDENTITY_SCHEMA, JWKS_PATH, identityMigrations } from '@compliance-graph/identity';
import { SUBPROCESSORS_SCHEMA, subprocessorsMigrations } from '@compliance-graph/subprocessors';
import type { StartConfig } from './config';

/** `npm start` runs everything on one machine, so nothing needs to listen beyond loopback. */
export const HOST = '127.0.0.1';

export interface ServiceDefinition {
  name: string;
  port: number;
  /** Base URL, e.g. `http://127.0.0.1:4001`. */
  url: string;
  /** The built entry point, relative to the repository root. */
  script: string;
}

export interface SubgraphDefinition extends ServiceDefinition {
  database: ServiceSchema;
}

const service = (name: string, port: number): ServiceDefinition => ({
  name,
  port,
  url: `http://${HOST}:${port}`,
  script: join('apps', name, 'dist', 'main.js'),
});

const subgraph = (name: string, port: number, database: ServiceSchema): SubgraphDefinition => ({
  ...service(name, port),
  database,
});

/** The four subgraphs, each with the Postgres schema and migrations it owns. */
export function subgraphs(config: StartConfig): SubgraphDefinition[] {
  return [
    subgraph('identity', config.IDENTITY_PORT, { schema: IDENTITY_SCHEMA, migrations: identityMigrations }),
    subgraph('evidence', config.EVIDENCE_PORT, { schema: EVIDENCE_SCHEMA, migrations: evidenceMigrations }),
    subgraph('audit', config.AUDIT_PORT, { schema: AUDIT_SCHEMA, migrations: auditMigrations }),
    subgraph('subprocessors', config.SUBPROCESSORS_PORT, {
      schema: SUBPROCESSORS_SCHEMA,
      migrations: subprocessorsMigrations,
    }),
  ];
}

export const gateway = (config: StartConfig): ServiceDefinition => service('gateway', config.GATEWAY_PORT);

export const identityJwksUrl = (config: StartConfig) => `http://${HOST}:${config.IDENTITY_PORT}${JWKS_PATH}`;
