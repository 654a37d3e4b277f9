import type { LookupAddress, LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import { Agent, request } from 'undici';
import { AddressRefused, allowedAddresses, type AddressPolicy } from './webhook-address';

export interface WebhookClientOptions extends AddressPolicy {
  timeoutMs: number;
  maxResponseBytes: number;
}

/** What an attempt came to: the receiver's status, or null and a short error code. */
export interface WebhookAttempt {
  status: number | null;
  error: string | null;
  durationMs: number;
}

export interface WebhookClient {
  post(url: string, body: string, headers: Record<string, string>, signal?: AbortSignal): Promise<WebhookAttempt>;
  close(): Promise<void>;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * The socket's name lookup: resolves once, checks every address, and hands the socket only
 * those checked addresses, so a name cannot resolve to something else between the check and
 * the connect (DNS rebinding).
 */
function guardedLookup(policy: AddressPolicy) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback) => {
    allowedAddresses(hostname, policy).then(
      (addresses) => (options.all ? callback(null, addresses) : callback(null, addresses[0].address, addresses[0].family)),
      (error: NodeJS.ErrnoException) => callback(error, ''),
    );
  };
}

const TLS_CODES = /^(ERR_TLS|ERR_SSL|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_OSSL)/;

/** The short code of a failed exchange, for the delivery log (never the URL or a secret). */
function errorCode(error: unknown, timedOut: boolean): string {
  if (timedOut) return 'timeout';
  for (let cause = error as { code?: unknown; cause?: unknown } | undefined; cause; cause = cause.cause as typeof cause) {
    if (cause instanceof AddressRefused) return cause.code;
    const code = typeof cause.code === 'string' ? cause.code : '';
    if (code === 'address_refused' || code === 'dns') return code;
    if (code === 'ECONNREFUSED') return 'refused';
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'dns';
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return 'timeout';
    if (TLS_CODES.test(code)) return 'tls';
  }
  return 'network';
}

/**
 * The HTTP client of webhook deliveries: its own undici Agent (never a proxy from the
 * environment), the guarded lookup above, no redirects (undici's request follows none, so a
 * 3xx is the answer), a timeout for the whole exchange and a cap on the answer's size.
 */
export function createWebhookClient(options: WebhookClientOptions): WebhookClient {
  const agent = new Agent({ connect: { lookup: guardedLookup(options) as never, timeout: options.timeoutMs } });
  return {
    async post(url, body, headers, signal) {
      const started = performance.now();
      const timeout = AbortSignal.timeout(options.timeoutMs);
      const done = (status: number | null, error: string | null): WebhookAttempt => ({ status, error, durationMs: Math.round(performance.now() - started) });
      try {
        // A literal address never reaches the lookup: it is checked here.
        const { hostname } = new URL(url);
        if (isIP(hostname.replace(/^\[|\]$/g, ''))) await allowedAddresses(hostname, options);
        const response = await request(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'ComplianceGraph-Webhooks/1', ...headers },
          body,
          dispatcher: agent,
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
          headersTimeout: options.timeoutMs,
          bodyTimeout: options.timeoutMs,
        });
        let received = 0;
        for await (const chunk of response.body) {
          received += (chunk as Buffer).length;
          if (received > options.maxResponseBytes) {
            // Stop reading and drop the connection: a receiver cannot make us buffer its answer.
            response.body.destroy();
            return done(null, 'too_large');
          }
        }
        return done(response.statusCode, null);
      } catch (error) {
        return done(null, errorCode(error, timeout.aborted));
      }
    },
    close: () => agent.close(),
  };
}
