import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on every Linux we run on). */
const TICKS_PER_SECOND = 100;

interface ProcStat {
  ppid: number;
  /** utime + stime of the process itself, in ticks. */
  own: number;
  /** cutime + cstime: what its exited and reaped children used, in ticks. */
  reaped: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; everything after its ')' is space-separated.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): ppid is field 4, utime..cstime fields 14..17.
    return { ppid: Number(fields[1]), own: Number(fields[11]) + Number(fields[12]), reaped: Number(fields[13]) + Number(fields[14]) };
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds the server and all its backends have used so far (exited backends included).
 * A backend reaped while its siblings are being read would be counted in neither place, so the
 * read is repeated until the postmaster's reaped time is the same before and after it.
 */
function serverCpuSeconds(postmaster: number): number | undefined {
  for (let attempt = 0; attempt < 5; attempt++) {
    const before = readStat(postmaster);
    if (!before) return undefined;
    let children = 0;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = readStat(Number(entry));
      if (stat?.ppid === postmaster) children += stat.own;
    }
    const after = readStat(postmaster);
    if (after && after.reaped === before.reaped) return (after.own + after.reaped + children) / TICKS_PER_SECOND;
  }
  return undefined;
}

/**
 * Measures the cores an embedded PostgreSQL (postmaster and backends) keeps busy, from /proc,
 * so the report can tell the database from other jobs on the machine. Undefined without an
 * embedded server (DATABASE_URL) or without /proc.
 */
export function postgresCpuMeter(dataDir: string | undefined): (() => () => number | undefined) | undefined {
  if (!dataDir || !existsSync('/proc/self/stat')) return undefined;
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const postmaster = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(postmaster) || postmaster <= 0 || serverCpuSeconds(postmaster) === undefined) return undefined;
  return () => {
    const startCpu = serverCpuSeconds(postmaster);
    const startWall = process.hrtime.bigint();
    return () => {
      const endCpu = serverCpuSeconds(postmaster);
      const wallSeconds = Number(process.hrtime.bigint() - startWall) / 1e9;
      return startCpu === undefined || endCpu === undefined || wallSeconds <= 0 ? undefined : (endCpu - startCpu) / wallSeconds;
    };
  };
}
