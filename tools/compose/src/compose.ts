import { composeServices } from '@apollo/composition';
import { printSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
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

/** Composes the subgraphs' SDL into the supergraph, or throws with every composition error. */
export function composeSupergraph(subgraphs: SubgraphSdl[]): string {
  const result = composeServices(subgraphs.map(({ name, url, sdl }) => ({ name, url, typeDefs: parse(sdl) })));
  if (result.errors) {
    throw new Error(`composition failed:\n${result.errors.map((e) => `  - ${e.message}`).join('\n')}`);
  }
  return `${result.supergraphSdl.trimEnd()}\n`;
}
