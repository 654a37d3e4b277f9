import type { GraphQLSchema } from 'graphql';
import { SUBGRAPH_NAMES, defaultUrl } from '@compliance-graph/config';
import { SUBGRAPH_APPS } from '@compliance-graph/start';

/**
 * The subgraphs of the supergraph, as the registry lists them. The URLs are the development
 * defaults baked into the file; the gateway replaces them with its configured ones.
 */
export const SUBGRAPHS: ReadonlyArray<{ name: string; url: string; build: () => Promise<GraphQLSchema> }> = SUBGRAPH_NAMES.map((name) => ({
  name,
  url: `${defaultUrl(name)}/graphql`,
  build: SUBGRAPH_APPS[name].buildSchema,
}));
