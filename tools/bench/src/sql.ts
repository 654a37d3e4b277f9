import { defineBench } from './bench';
import { number, numbers } from './options';
import { growing, measureOperations } from './sql-operations';
import { figure, table } from './table';

export const sqlBench = defineBench({
  summary: 'sql: SQL statements per canonical frontend operation through the gateway, for tenants whose every list holds N rows',
  options: {
    sizes: numbers([10, 200], 'rows per list, one tenant each (200 is the largest page)', { min: 1, max: 200, integer: true }),
    runs: number(3, 'counted runs per operation after a warm-up (the fewest is reported)', { min: 1, integer: true }),
  },
  async run(options, { onStop, print, progress }) {
    const sizes = [...options.sizes].sort((a, b) => a - b);
    const { rows, failures, postgres } = await measureOperations({ sizes, runs: options.runs }, { onStop, progress });
    const grown = growing(rows, sizes);
    print(`postgres: ${postgres}`);
    print();
    print(`Each operation of packages/edge/test/canonical-queries.graphql through the gateway as the tenant's OWNER; statements all services ran (pg_stat_statements), the fewest of ${options.runs} runs after a warm-up`);
    print(
      table(rows, {
        operation: (r) => r.operation,
        ...Object.fromEntries(sizes.map((size) => [`statements at ${size}`, (r: (typeof rows)[number]) => figure(r.statements[size], 0)])),
        'constant?': (r) => (grown.some((line) => line.startsWith(`${r.operation}:`)) ? 'NO' : 'yes'),
      }),
    );
    return { figures: { sizes, runs: options.runs, operations: rows }, failures: [...failures, ...grown.map((line) => `grows with list size: ${line}`)] };
  },
});
