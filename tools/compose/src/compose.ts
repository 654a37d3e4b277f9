import { composeServices } from '@apollo/composition';
import { printSubgraphSchema } from '@apollo/subgraph';
import { lexicographicSortSchema, parse, printSchema } from 'graphql';
import { SUBGRAPHS } from './subgraphs';

export interface SubgraphSdl {
  name: string;
  url: string;
  sdl: string;
}

export async function printSubgraphs(): Promise<SubgraphSdl[]> {
  return Promise.all(
    SUBGRAPHS.map(async ({ name, url, build }) => ({ name, url, sdl: printSubgraphSchema(await build()) })),
  );
}

export interface ComposedGraph {
  /** For the gateway: the subgraphs and which fields each resolves (`join__` directives). */
  supergraph: string;
  /** For clients (graphql-codegen, IDEs): the graph as the gateway serves it, no federation internals. */
  apiSchema: string;
}

/** Composes the subgraphs' SDL into the supergraph and the client-facing API schema, or throws with every composition error. */
export function composeSupergraph(subgraphs: SubgraphSdl[]): ComposedGraph {
  const result = composeServices(subgraphs.map(({ name, url, sdl }) => ({ name, url, typeDefs: parse(sdl) })));
  if (result.errors) {
    throw new Error(`composition failed:\n${result.errors.map((e) => `  - ${e.message}`).join('\n')}`);
  }
  const api = lexicographicSortSchema(result.schema.toAPISchema().toGraphQLJSSchema());
  return { supergraph: `${result.supergraphSdl.trimEnd()}\n`, apiSchema: `${printSchema(api).trimEnd()}\n` };
}
