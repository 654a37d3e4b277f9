import type { GraphqlHttpClient } from './http-client';
import { readGraphql } from './http-client';
import { elapsedMs, summarise, type LatencySummary } from './stats';

export interface PhaseResult {
  clients: number;
  seconds: number;
  ok: number;
  /** Successful logins per second of wall time. */
  perSecond: number;
  /** Over successful requests only; failures are counted in `errors`. */
  latency: LatencySummary;
  errors: Map<string, number>;
}

export interface LoginPhase {
  client: GraphqlHttpClient;
  /** Ready-made request bodies, one per account, taken round-robin. */
  bodies: readonly string[];
  clients: number;
  seconds: number;
  /** Stops the loops early (Ctrl-C). */
  signal?: AbortSignal;
}

/**
 * `clients` loops, each sending its next login as soon as the previous one answered, until the
 * time is up. Each request's latency is taken with hrtime around the HTTP round trip.
 */
export async function runLoginPhase({ client, bodies, clients, seconds, signal }: LoginPhase): Promise<PhaseResult> {
  const latencies: number[] = [];
  const errors = new Map<string, number>();
  let next = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(seconds * 1e9));
  const loop = async () => {
    while (!signal?.aborted && process.hrtime.bigint() < deadline) {
      const body = bodies[next++ % bodies.length];
      const sent = process.hrtime.bigint();
      let error: string | undefined;
      try {
        const outcome = readGraphql<{ login?: { accessToken?: string } }>(await client.post(body));
        error = outcome.error ?? (outcome.data?.login?.accessToken ? undefined : 'no accessToken in the answer');
      } catch (failure) {
        error = `network: ${(failure as Error).message}`;
      }
      const took = elapsedMs(sent);
      if (error === undefined) latencies.push(took);
      else errors.set(error, (errors.get(error) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: clients }, loop));
  const wallSeconds = elapsedMs(start) / 1000;
  return {
    clients,
    seconds: wallSeconds,
    ok: latencies.length,
    perSecond: latencies.length / wallSeconds,
    latency: summarise(latencies),
    errors,
  };
}

export const errorCount = (result: PhaseResult) => [...result.errors.values()].reduce((total, n) => total + n, 0);
