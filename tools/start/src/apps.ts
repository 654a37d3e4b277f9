import type { GraphQLSchema } from 'graphql';
import { AUDIT_SCHEMA, auditMigrations, buildAuditSchema } from '@compliance-graph/audit';
import { SUBGRAPH_NAMES, type SubgraphName } from '@compliance-graph/config';
import type { ServiceSchema } from '@compliance-graph/db';
import { EVIDENCE_SCHEMA, buildEvidenceSchema, evidenceMigrations } from '@compliance-graph/evidence';
import { IDENTITY_SCHEMA, buildIdentitySchema, identityMigrations } from '@compliance-graph/identity';
import { SUBPROCESSORS_SCHEMA, buildSubprocessorsSchema, subprocessorsMigrations } from '@compliance-graph/subprocessors';

export interface SubgraphApp {
  /** The PostgreSQL schema it owns and the migrations that build it. */
  database: ServiceSchema;
  /** Its federated schema, for composition. */
  buildSchema: () => Promise<GraphQLSchema>;
}

/**
 * What tools need of each registered subgraph's code (the registry itself is in
 * @compliance-graph/config): a subgraph added there fails to compile until it has its entry.
 */
export const SUBGRAPH_APPS: Record<SubgraphName, SubgraphApp> = {
  identity: { database: { schema: IDENTITY_SCHEMA, migrations: identityMigrations }, buildSchema: () => buildIdentitySchema() },
  evidence: { database: { schema: EVIDENCE_SCHEMA, migrations: evidenceMigrations }, buildSchema: () => buildEvidenceSchema() },
  audit: { database: { schema: AUDIT_SCHEMA, migrations: auditMigrations }, buildSchema: () => buildAuditSchema() },
  subprocessors: { database: { schema: SUBPROCESSORS_SCHEMA, migrations: subprocessorsMigrations }, buildSchema: () => buildSubprocessorsSchema() },
};

/** Every subgraph's schema and migrations, in the registry's order (the order they are migrated in). */
export const SUBGRAPH_DATABASES: ServiceSchema[] = SUBGRAPH_NAMES.map((name) => SUBGRAPH_APPS[name].database);
