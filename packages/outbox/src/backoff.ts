/** The first retry waits up to this long; each further failure doubles the ceiling. */
export const BACKOFF_BASE_MS = 500;

/**
 * Exponential backoff with full jitter (a uniformly random wait below the ceiling): replicas
 * and tenants that failed together spread their retries out instead of hammering a consumer
 * that is just coming back in lockstep.
 */
export function backoffDelayMs(failures: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, BACKOFF_BASE_MS * 2 ** Math.max(0, failures - 1));
  return Math.floor(random() * ceiling);
}
