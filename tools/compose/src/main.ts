import 'reflect-metadata';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { composeSupergraph, printSubgraphs } from './compose';

/**
 * npm run compose               writes supergraph.graphql and schema.graphql from the subgraphs' code
 * npm run compose:check         fails when either committed file is stale
 * npm run compose -- --print X  prints subgraph X's SDL
 */
async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { check: { type: 'boolean' }, print: { type: 'string' } }, strict: true });
  const subgraphs = await printSubgraphs();
  if (values.print !== undefined) {
    const wanted = subgraphs.find((s) => s.name === values.print);
    if (!wanted) {
      process.stderr.write(`unknown subgraph; one of: ${subgraphs.map((s) => s.name).join(', ')}\n`);
      return 2;
    }
    process.stdout.write(wanted.sdl);
    return 0;
  }
  const composed = composeSupergraph(subgraphs);
  const outputs = [
    { path: resolve('supergraph.graphql'), content: composed.supergraph },
    { path: resolve('schema.graphql'), content: composed.apiSchema },
  ];
  if (values.check) {
    const stale = outputs.filter(({ path, content }) => !existsSync(path) || readFileSync(path, 'utf8') !== content);
    for (const { path } of stale) process.stderr.write(`${path} is stale: run \`npm run compose\` and commit the result\n`);
    if (stale.length === 0) process.stdout.write('supergraph.graphql and schema.graphql are up to date\n');
    return stale.length === 0 ? 0 : 1;
  }
  for (const { path, content } of outputs) {
    writeFileSync(path, content);
    process.stdout.write(`wrote ${path}\n`);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
