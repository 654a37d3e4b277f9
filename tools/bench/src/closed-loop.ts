import { elapsedMs, summarise, type Latency } from './stats';

export interface LoopResult {
  clients: number;
  seconds: number;
  ok: number;
  /** Over successful requests only. */
  latency: Latency;
  /** Failed requests by what went wrong. */
  errors: Record<string, number>;
}

/**
 * `clients` loops, each sending its next request as soon as the previous one answered, until
 * `seconds` are up. `request` (told which loop sends it, 0 to clients - 1) resolves to an error
 * label, or undefined when it succeeded.
 */
export async function closedLoop(
  clients: number,
  seconds: number,
  signal: AbortSignal,
  request: (client: number) => Promise<string | undefined>,
): Promise<LoopResult> {
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(seconds * 1e9));
  const loop = async (_: unknown, client: number) => {
    while (!signal.aborted && process.hrtime.bigint() < deadline) {
      const sent = process.hrtime.bigint();
      const error = await request(client).catch((failure: Error) => `network: ${failure.message}`);
      if (error === undefined) latencies.push(elapsedMs(sent));
      else errors[error] = (errors[error] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: clients }, loop));
  return { clients, seconds: elapsedMs(start) / 1000, ok: latencies.length, latency: summarise(latencies), errors };
}

export const errorCount = (result: LoopResult) => Object.values(result.errors).reduce((total, n) => total + n, 0);
