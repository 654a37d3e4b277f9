import { Agent, request } from 'node:http';

export interface HttpAnswer {
  status: number;
  text: string;
}

export interface HttpClient {
  /** POSTs a ready-made JSON body and reads the whole answer. */
  post(body: string): Promise<HttpAnswer>;
  close(): void;
}

/**
 * node:http with keep-alive, one socket per concurrent client, as a browser or a relay reuses
 * its connection: the bench measures requests, not TCP handshakes. `headers` go with every POST.
 */
export function httpClient(url: string, sockets: number, headers: Record<string, string> = {}): HttpClient {
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  const post = (body: string) =>
    new Promise<HttpAnswer>((resolve, reject) => {
      const headersOfBody = { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
      const sent = request(url, { method: 'POST', agent, headers: headersOfBody }, (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => resolve({ status: answer.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        answer.on('error', reject);
      });
      sent.on('error', reject);
      sent.end(body);
    });
  return { post, close: () => agent.destroy() };
}

/** The data of a GraphQL answer, or what went wrong: the first error's code, a status, not JSON. */
export function readGraphql<D>({ status, text }: HttpAnswer): { data?: D; error?: string } {
  let body: { data?: D | null; errors?: Array<{ message?: string; extensions?: { code?: unknown } }> };
  try {
    body = JSON.parse(text);
  } catch {
    return { error: `HTTP ${status}, not JSON` };
  }
  const first = body.errors?.[0];
  if (first) return { error: String(first.extensions?.code ?? first.message ?? 'error without a code') };
  return status === 200 && body.data ? { data: body.data } : { error: `HTTP ${status}` };
}
