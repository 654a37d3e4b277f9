/** Milliseconds since a `process.hrtime.bigint()` reading. */
export const elapsedMs = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e6;

export interface Latency {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of ascending `sorted`. */
const percentile = (sorted: readonly number[], p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

export function summarise(samplesMs: readonly number[]): Latency {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? NaN,
  };
}

/** Times `call` once. */
export async function timed(call: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await call();
  return elapsedMs(started);
}

const MiB = 1_048_576;

/** The process's resident memory, sampled while `work` runs: its peak, in MiB. */
export async function peakRss<T>(work: () => Promise<T>): Promise<{ result: T; peakMiB: number }> {
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
  try {
    const result = await work();
    return { result, peakMiB: Math.max(peak, process.memoryUsage.rss()) / MiB };
  } finally {
    clearInterval(sampler);
  }
}
