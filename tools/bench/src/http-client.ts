import { Agent, request } from 'node:http';

export interface HttpAnswer {
  status: number;
  text: string;
}

export interface GraphqlHttpClient {
  /** POSTs a ready-made JSON body and reads the whole answer. */
  post(body: string): Promise<HttpAnswer>;
  close(): void;
}

/**
 * A plain node:http client with keep-alive, one socket per concurrent client, as a browser or
 * a backend would reuse its connection: the benchmark measures logins, not TCP handshakes.
 * `headers` go with every request (e.g. the internal service credential of an outbox relay).
 */
export function graphqlHttpClient(graphqlUrl: string, sockets: number, headers: Record<string, string> = {}): GraphqlHttpClient {
  const target = new URL(graphqlUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  return {
    post: (body) =>
      new Promise<HttpAnswer>((resolve, reject) => {
        const req = request(
          {
            host: target.hostname,
            port: target.port,
            path: target.pathname,
            method: 'POST',
            agent,
            headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(body);
      }),
    close: () => agent.destroy(),
  };
}

export interface GraphqlOutcome<D> {
  data?: D;
  /** `extensions.code` of the first error (or `HTTP <status>` / `not JSON`), when there is one. */
  error?: string;
}

/** Reads a GraphQL answer; anything but data without errors is an error, named by its code. */
export function readGraphql<D>(answer: HttpAnswer): GraphqlOutcome<D> {
  let body: { data?: D | null; errors?: Array<{ message?: string; extensions?: { code?: unknown } }> };
  try {
    body = JSON.parse(answer.text);
  } catch {
    return { error: `HTTP ${answer.status}, not JSON` };
  }
  const first = body.errors?.[0];
  if (first) return { error: String(first.extensions?.code ?? first.message ?? 'error without a code') };
  if (answer.status !== 200 || !body.data) return { error: `HTTP ${answer.status}` };
  return { data: body.data };
}
