import 'reflect-metadata';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { composeSupergraph, printSubgraphs } from './compose';

/**
 * npm run compose              writes supergraph.graphql from the subgraphs' code
 * npm run compose:check        fails when the committed supergraph.graphql is stale
 * npm run compose -- --print X  prints subgraph X's SDL
 */
async function main(args: string[]): Promise<number> {
  const subgraphs = await printSubgraphs();
  const printIndex = args.indexOf('--print');
  if (printIndex >= 0) {
    const wanted = subgraphs.find((s) => s.name === args[printIndex + 1]);
    if (!wanted) {
      process.stderr.write(`unknown subgraph; one of: ${subgraphs.map((s) => s.name).join(', ')}\n`);
      return 2;
    }
    process.stdout.write(wanted.sdl);
    return 0;
  }
  const supergraph = composeSupergraph(subgraphs);
  const path = resolve('supergraph.graphql');
  if (args.includes('--check')) {
    if (existsSync(path) && readFileSync(path, 'utf8') === supergraph) {
      process.stdout.write('supergraph.graphql is up to date\n');
      return 0;
    }
    process.stderr.write('supergraph.graphql is stale: run `npm run compose` and commit the result\n');
    return 1;
  }
  writeFileSync(path, supergraph);
  process.stdout.write(`wrote ${path}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
