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

/** Busy and total CPU time of the whole machine so far, summed over its cores (ms). */
function machineTimes() {
  let busy = 0;
  let total = 0;
  for (const { times } of cpus()) {
    const all = times.user + times.nice + times.sys + times.idle + times.irq;
    busy += all - times.idle;
    total += all;
  }
  return { busy, total };
}

export interface CpuUse {
  /** Share of the time the one JavaScript thread was busy: services and clients all run on it. */
  eventLoop: number;
  /** Cores the whole machine kept busy: this process, PostgreSQL and any other job. */
  machineCores: number;
}

/** Starts measuring CPU use; the returned function tells the average since. */
export function cpuMeter(): () => CpuUse {
  const loopStart = performance.eventLoopUtilization();
  const start = machineTimes();
  return () => {
    const end = machineTimes();
    const share = (end.busy - start.busy) / Math.max(1, end.total - start.total);
    return { eventLoop: performance.eventLoopUtilization(loopStart).utilization, machineCores: share * cpus().length };
  };
}
