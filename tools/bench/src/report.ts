import type { LoginBenchOptions } from './args';
import type { Argon2Result } from './argon2';
import type { PhaseResult } from './load';
import { errorCount } from './load';
import type { CpuUse, Machine } from './machine';
import { ms, percent, rate } from './stats';

export interface MeasuredPhase extends PhaseResult {
  cpu: CpuUse;
}

export interface LoginBenchReport {
  date: string;
  options: LoginBenchOptions;
  machine: Machine;
  database: string;
  postgres: string;
  poolSize: number;
  throttleLimit: number;
  phases: MeasuredPhase[];
  argon2: Argon2Result;
}

export const table = (header: string[], rows: string[][]) => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), ...rows.map(line)];
};

const clientsLabel = (n: number) => `${n} client${n === 1 ? '' : 's'}`;

/** The human-readable result: latencies and throughput of the login loop, then argon2 alone. */
export function loginTable(phases: MeasuredPhase[]): string[] {
  return table(
    ['clients', 'logins/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'ok', 'errors', 'event loop', 'cores: process', 'machine'],
    phases.map((p) => [
      String(p.clients),
      rate(p.perSecond),
      ms(p.latency.p50),
      ms(p.latency.p90),
      ms(p.latency.p99),
      ms(p.latency.max),
      String(p.ok),
      String(errorCount(p)),
      percent(p.cpu.eventLoop, 1),
      p.cpu.process.toFixed(2),
      p.cpu.machine.toFixed(2),
    ]),
  );
}

export function argon2Table(result: Argon2Result, runs: number): string[] {
  const { sequential, concurrent } = result;
  return table(
    ['mode', 'runs', 'verifies/s', 'p50 ms', 'p99 ms', 'max ms', 'cores: process', 'machine'],
    [
      ['sequential', sequential] as const,
      [`${concurrent.inFlight} in flight`, concurrent] as const,
    ].map(([mode, m]) => [mode, String(runs), rate(m.perSecond), ms(m.p50), ms(m.p99), ms(m.max), m.cpu.process.toFixed(2), m.cpu.machine.toFixed(2)]),
  );
}

/** Where a login's time goes, in sentences. */
export function breakdown(report: LoginBenchReport): string[] {
  const verify = report.argon2.sequential.p50;
  const cores = report.machine.cores;
  const { concurrent } = report.argon2;
  const main = report.phases[0];
  const ceiling =
    `argon2 alone manages ${rate(concurrent.perSecond)} verifies/s with ${concurrent.inFlight} in flight; ` +
    `${clientsLabel(main.clients)} log in ${rate(main.perSecond)} times/s (${percent(main.perSecond, concurrent.perSecond)} of that)`;
  return [...report.phases.flatMap((p) => [
    `${clientsLabel(p.clients)}: argon2 verify (p50 ${ms(verify)} ms alone) is ${percent(verify, p.latency.p50)} of a login's p50 (${ms(p.latency.p50)} ms)`,
    `  CPU per second: argon2 ~${argonCores(p, verify).toFixed(2)} cores (logins/s x verify p50), this process ${p.cpu.process.toFixed(2)}, ` +
      `its JavaScript thread busy ${percent(p.cpu.eventLoop, 1)}; PostgreSQL and anything else ${Math.max(0, p.cpu.machine - p.cpu.process).toFixed(2)}; ` +
      `machine ${p.cpu.machine.toFixed(2)} of ${cores}`,
  ]), ceiling];
}

/** Cores argon2 keeps busy at a phase's login rate, taking each verify as long as alone. */
const argonCores = (p: MeasuredPhase, verifyMs: number) => (p.perSecond * verifyMs) / 1000;

/** A block for the README's "Benchmarks" section. */
export function readmeBlock(report: LoginBenchReport): string {
  const { machine, argon2, options } = report;
  const main = report.phases[0];
  const rows = report.phases.map(
    (p) =>
      `| ${clientsLabel(p.clients)} | ${rate(p.perSecond)} | ${ms(p.latency.p50)} ms | ${ms(p.latency.p90)} ms | ` +
      `${ms(p.latency.p99)} ms | ${ms(p.latency.max)} ms | ${errorCount(p)} |`,
  );
  const shares = report.phases
    .map((p, i) => `${percent(argon2.sequential.p50, p.latency.p50)}${i === 0 ? " of a login's p50" : ''} with ${clientsLabel(p.clients)}`)
    .join(' and ');
  return [
    '### Login (`npm run bench:login`)',
    '',
    `Measured ${report.date} on ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB.toFixed(1)} GiB, ` +
      `Node ${machine.node} (${machine.os.split(' ').slice(0, 2).join(' ')}); PostgreSQL ${report.postgres} on the same machine. ` +
      `Gateway and the four subgraphs in one Node process (\`NODE_ENV=production\`, pool ${report.poolSize}), ` +
      `clients in the same process over real HTTP with keep-alive; ${options.tenants} tenants signed up through the ` +
      `gateway and logged into round-robin; login throttle limits raised to ${report.throttleLimit.toLocaleString('en')} ` +
      `for the run; ${options.seconds} s per row after a ${options.warmupSeconds} s warm-up.`,
    '',
    '| `login` through the gateway | logins/s | p50 | p90 | p99 | max | errors |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    `| argon2 verify alone (${argon2.parameters}) | verifies/s | p50 | p99 |`,
    '|---|---:|---:|---:|',
    `| sequential, ${options.argon2Runs} runs | ${rate(argon2.sequential.perSecond)} | ${ms(argon2.sequential.p50)} ms | ${ms(argon2.sequential.p99)} ms |`,
    `| ${argon2.concurrent.inFlight} in flight, ${options.argon2Runs} runs | ${rate(argon2.concurrent.perSecond)} | ` +
      `${ms(argon2.concurrent.p50)} ms | ${ms(argon2.concurrent.p99)} ms |`,
    '',
    `argon2 verify alone (p50) is ${shares}. With ${clientsLabel(main.clients)}, argon2 keeps ` +
      `~${argonCores(main, argon2.sequential.p50).toFixed(2)} cores busy, while the one JavaScript thread that runs ` +
      `gateway, subgraphs and clients is busy ${percent(main.cpu.eventLoop, 1)} of the time and the machine ` +
      `${main.cpu.machine.toFixed(2)} of ${machine.cores} cores; argon2 alone manages ` +
      `${rate(argon2.concurrent.perSecond)} verifies/s with ${argon2.concurrent.inFlight} in flight.`,
  ].join('\n');
}
