import { traceHeaders } from '@compliance-graph/config';
import type { Deliver } from './relay';

export interface HttpDeliveryOptions {
  /** The consumer's internal endpoint, e.g. the audit service's ingest route. */
  url: string;
  /** The internal service credential (INTERNAL_SERVICE_TOKEN), never a user's token. */
  token: string;
  /** Default 10 s. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** 4xx answers about the caller or the route, not the messages: retried like an outage, never counted against a message. */
const NOT_ABOUT_THE_MESSAGES = new Set([401, 403, 404, 408, 429]);

/** The consumer refused the messages themselves (a 4xx such as 400): retrying the same bytes will not help. */
export class ConsumerRefused extends Error {}

/**
 * Delivers a batch as `POST {"topic", "messages"}` with the service credential as bearer (and
 * the relay's traceparent when tracing is on).
 * Anything but a 2xx answer in time is a failure, so the relay retries. Error messages name
 * the consumer's origin and the status or cause, never the credential or the URL's path and
 * query, because they end up in logs and in the outbox's last_error.
 */
export function httpDelivery(options: HttpDeliveryOptions): Deliver {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const consumer = new URL(options.url).origin;
  return async (topic, messages, signal) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const failure = (reason: string) => new Error(`delivering ${messages.length} "${topic}" messages to ${consumer} failed: ${reason}`);
    let status: number;
    try {
      const response = await fetch(options.url, {
        method: 'POST',
        headers: { ...traceHeaders(), authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ topic, messages }),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      status = response.status;
      // Reading the answer to its end lets the connection be reused.
      await response.arrayBuffer();
    } catch (error) {
      throw failure(timeout.aborted ? `no answer within ${timeoutMs} ms` : causeOf(error));
    }
    if (status >= 400 && status < 500 && !NOT_ABOUT_THE_MESSAGES.has(status)) throw new ConsumerRefused(failure(`HTTP ${status}`).message);
    if (status < 200 || status > 299) throw failure(`HTTP ${status}`);
  };
}

/** fetch reports "fetch failed"; the useful part (ECONNREFUSED, ...) is its cause. */
function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  return String(cause?.code ?? cause?.message ?? (error as Error).message ?? error);
}
