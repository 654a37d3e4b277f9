import { get } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { LaunchError, messageOf } from './launch-error';
import type { ServiceDefinition } from './services';

const POLL_INTERVAL_MS = 200;
const PROBE_TIMEOUT_MS = 2_000;

/**
 * One `GET` on a connection of its own (`agent: false` sends `Connection: close`). A kept-alive
 * probe connection would hold up the service's graceful drain at shutdown until its grace
 * period ran out.
 */
function probe(url: string, signal: AbortSignal): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = get(url, { agent: false, timeout: PROBE_TIMEOUT_MS, signal }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)));
    request.on('error', reject);
  });
}

/**
 * Polls `GET /readyz` until it answers 200: a service is ready when its database answers, which
 * is later than when its port opens. Rejects with the service's name and the last answer when
 * the deadline passes, or as soon as `signal` aborts.
 */
export async function waitUntilReady(
  service: ServiceDefinition,
  options: { timeoutMs: number; signal: AbortSignal },
): Promise<void> {
  const url = `${service.url}/readyz`;
  const deadline = Date.now() + options.timeoutMs;
  let lastAnswer = 'none';
  while (Date.now() < deadline) {
    try {
      const status = await probe(url, options.signal);
      if (status === 200) return;
      lastAnswer = `HTTP ${status}`;
    } catch (error) {
      options.signal.throwIfAborted();
      lastAnswer = (error as { code?: string }).code ?? messageOf(error);
    }
    await sleep(POLL_INTERVAL_MS, undefined, { signal: options.signal });
  }
  throw new LaunchError(
    `${service.name} did not come up: GET ${url} did not answer 200 within ${options.timeoutMs / 1000} s ` +
      `(last answer: ${lastAnswer})`,
  );
}
