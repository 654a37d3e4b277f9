/** Nanoseconds between two `process.hrtime.bigint()` readings, as milliseconds. */
export const elapsedMs = (from: bigint, to: bigint = process.hrtime.bigint()) => Number(to - from) / 1e6;

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of ascending `sorted` (p in 0..100). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function summarise(samplesMs: readonly number[]): LatencySummary {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const sum = sorted.reduce((total, x) => total + x, 0);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
    mean: sorted.length ? sum / sorted.length : NaN,
  };
}

/** Milliseconds with precision that suits their size: 0.84, 12.3, 145. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (value < 10) return value.toFixed(2);
  if (value < 100) return value.toFixed(1);
  return value.toFixed(0);
}

export const rate = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : 'n/a');
export const percent = (part: number, whole: number) => (whole > 0 && Number.isFinite(part) ? `${Math.round((100 * part) / whole)}%` : 'n/a');
