import { BACKOFF_BASE_MS, backoffDelayMs } from '../src/backoff';

describe('backoffDelayMs', () => {
  const almostOne = () => 0.999_999;
  const ceilings = (maxMs: number) => [1, 2, 3, 4, 5, 6].map((failures) => backoffDelayMs(failures, maxMs, almostOne) + 1);

  it('doubles its ceiling from 500 ms with each failure', () => {
    expect(BACKOFF_BASE_MS).toBe(500);
    expect(ceilings(5 * 60_000)).toEqual([500, 1_000, 2_000, 4_000, 8_000, 16_000]);
  });

  it('never exceeds maxBackoffMs, however many failures', () => {
    expect(ceilings(3_000)).toEqual([500, 1_000, 2_000, 3_000, 3_000, 3_000]);
    expect(backoffDelayMs(10_000, 300_000, almostOne)).toBeLessThan(300_000);
  });

  it('draws the whole range below the ceiling (full jitter)', () => {
    expect(backoffDelayMs(3, 300_000, () => 0)).toBe(0);
    expect(backoffDelayMs(3, 300_000, () => 0.5)).toBe(1_000);
    const draws = Array.from({ length: 200 }, () => backoffDelayMs(4, 300_000));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(4_000);
    expect(new Set(draws).size).toBeGreaterThan(100);
  });
});
