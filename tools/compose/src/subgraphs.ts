import type { GraphQLSchema } from 'graphql';
import { buildIdentitySchema } from '@compliance-graph/identity';
import { buildEvidenceSchema } from '@compliance-graph/evidence';
import { buildAuditSchema } from '@compliance-graph/audit';
import { buildSubprocessorsSchema } from '@compliance-graph/subprocessors';

/**
 * The subgraphs of the supergraph. The URLs are the development defaults baked into the file;
 * the gateway replaces them with its configured ones.
 */
export const SUBGRAPHS: ReadonlyArray<{ name: string; url: string; build: () => Promise<GraphQLSchema> }> = [
  { name: 'identity', url: 'http://127.0.0.1:4001/graphql', build: () => buildIdentitySchema() },
  { name: 'evidence', url: 'http://127.0.0.1:4002/graphql', build: () => buildEvidenceSchema() },
  { name: 'audit', url: 'http://127.0.0.1:4003/graphql', build: () => buildAuditSchema() },
  { name: 'subprocessors', url: 'http://127.0.0.1:4004/graphql', build: () => buildSubprocessorsSchema() },
];
