import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, platform, release, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';

export const loadAverage = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

export function describeMachine() {
  return {
    cpu: cpus()[0]?.model.trim().replace(/\s+/g, ' ') ?? 'unknown CPU',
    cores: availableParallelism(),
    memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
    node: process.version,
    os: `${platform()} ${release()}`,
    loadBefore: loadAverage(),
  };
}

export const machineLine = (m: ReturnType<typeof describeMachine>) =>
  `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.os}, load average ${m.loadBefore}`;

/**
 * Starts measuring how busy the one JavaScript thread is (services and clients all run on it);
 * the returned function tells the share of the time since.
 */
export function eventLoopMeter(): () => number {
  const start = performance.eventLoopUtilization();
  return () => performance.eventLoopUtilization(start).utilization;
}

let clockTicks: number | undefined;

/**
 * CPU time (user + system) and resident memory of another process, read from Linux's /proc:
 * the figures of a gateway running as its own process. CPU time has the kernel's clock-tick
 * resolution (10 ms at the usual 100 Hz), so it is read over whole rounds, never per request.
 */
export function processUsage(pid: number): { cpuMs: number; rssMiB: number } {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name in parentheses may hold spaces; the fields after it are fixed: utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuMs = ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
  const rssKiB = Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  return { cpuMs, rssMiB: rssKiB / 1024 };
}
