// The app packages declare decorated classes, which need this first.
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { stopSignal } from '@compliance-graph/config';
import { accessReviewBench } from './access-review';
import { gatewayBench } from './gateway';
import { auditBench } from './audit';
import type { Bench } from './bench';
import { evidenceBench } from './evidence';
import { loginBench } from './login';
import { sqlBench } from './sql';
import { subprocessorsBench } from './subprocessors';
import { describeMachine, loadAverage, machineLine } from './machine';
import { file, parseOptions, usage, UsageError } from './options';

/** `npm run bench -- <name>`: adding a benchmark is one entry here. */
const BENCHES: Record<string, Bench<any>> = { login: loginBench, audit: auditBench, evidence: evidenceBench, 'access-review': accessReviewBench, subprocessors: subprocessorsBench, sql: sqlBench, gateway: gatewayBench };

const COMMON_OPTIONS = { json: file('also write every figure as JSON to FILE') };

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
const complain = (line: string) => process.stderr.write(`${line}\n`);

/** Runs one benchmark; resolves to the exit code (2: a usage error, 1: it failed or measured failures). */
async function main([name = '', ...argv]: string[]): Promise<number> {
  const bench = Object.hasOwn(BENCHES, name) ? BENCHES[name] : undefined;
  if (!bench) {
    complain(`bench: ${name ? `no benchmark named "${name}"` : 'name a benchmark'}; one of: ${Object.keys(BENCHES).join(', ')}`);
    complain('usage: npm run bench -- <name> [options]   (npm run bench -- <name> --help lists its options)');
    return 2;
  }
  const options = { ...bench.options, ...COMMON_OPTIONS };
  let values;
  try {
    values = parseOptions(options, argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    complain(`bench ${name}: ${error.message}\n${usage(`npm run bench -- ${name}`, options)}`);
    return 2;
  }
  if (!values) {
    process.stdout.write(`${bench.summary}\n${usage(`npm run bench -- ${name}`, options)}\n`);
    return 0;
  }

  const print = (line = '') => process.stdout.write(`${line}\n`);
  const machine = describeMachine();
  print(bench.summary);
  print(`machine: ${machineLine(machine)}`);
  const stops: Array<() => Promise<void>> = [];
  const signal = stopSignal(() => complain(`bench ${name}: interrupted, stopping`));
  let code = 0;
  try {
    const progress = (line: string) => complain(`${name}: ${line}`);
    const { figures, failures } = await bench.run(values, { signal, onStop: (stop) => stops.push(stop), print, progress });
    const loadAfter = loadAverage();
    print(`load average after: ${loadAfter}`);
    const report = { bench: name, date: new Date().toISOString(), machine: { ...machine, loadAfter }, options: values, ...figures };
    if (values.json) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
    failures.forEach((failure) => complain(`bench ${name}: ${failure}`));
    code = failures.length > 0 ? 1 : 0;
  } catch (error) {
    complain(`bench ${name} failed: ${process.env.DEBUG && error instanceof Error ? error.stack : message(error)}`);
    code = 1;
  }
  for (const stop of stops.reverse()) {
    await stop().catch((error: unknown) => {
      complain(`bench ${name}: a shutdown step failed: ${message(error)}`);
      code = 1;
    });
  }
  return code;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    complain(`bench failed: ${message(error)}`);
    process.exit(1);
  },
);
