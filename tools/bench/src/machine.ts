import { availableParallelism, cpus, loadavg, platform, arch, release, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
  threadPool: string;
}

export function describeMachine(): Machine {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim().replace(/\s+/g, ' ') ?? 'unknown CPU',
    cores: availableParallelism(),
    memoryGiB: totalmem() / 2 ** 30,
    node: process.version,
    os: `${platform()} ${arch()} ${release()}`,
    // argon2 (napi-rs async tasks) runs on libuv's pool, whose size is fixed at first use.
    threadPool: process.env.UV_THREADPOOL_SIZE ? `UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE}` : 'UV_THREADPOOL_SIZE unset (4)',
  };
}

export const loadAverage = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

/** Busy and total CPU time of the whole machine so far, summed over its cores (ms). */
function machineTimes(): { busy: number; total: number } {
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
  /** Share of the time this process's one JavaScript thread was busy (gateway, subgraphs and clients all run on it). */
  eventLoop: number;
  /** Cores this process kept busy on average (its JavaScript thread, argon2 and other pool threads). */
  process: number;
  /** Cores the whole machine kept busy: this process, PostgreSQL and anything else running. */
  machine: number;
}

/** Starts measuring CPU use; the returned function tells the average since. */
export function cpuMeter(): () => CpuUse {
  const wallStart = process.hrtime.bigint();
  const processStart = process.cpuUsage();
  const machineStart = machineTimes();
  const loopStart = performance.eventLoopUtilization();
  return () => {
    const loop = performance.eventLoopUtilization(loopStart);
    const wallMs = Number(process.hrtime.bigint() - wallStart) / 1e6;
    const used = process.cpuUsage(processStart);
    const machineEnd = machineTimes();
    const cores = cpus().length;
    const machineShare = (machineEnd.busy - machineStart.busy) / Math.max(1, machineEnd.total - machineStart.total);
    return { eventLoop: loop.utilization, process: (used.user + used.system) / 1000 / wallMs, machine: machineShare * cores };
  };
}
