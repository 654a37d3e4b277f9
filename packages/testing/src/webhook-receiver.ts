import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
  /** What the receiver computed itself, as a partner would. */
  signatureValid: boolean;
}

/** How the receiver answers its n-th request (0-based). */
export type Answer = (response: ServerResponse, n: number) => void;

export const answerWith = (status: number): Answer => (response) => response.writeHead(status).end();

/**
 * A partner's webhook endpoint on loopback, verifying each request's X-Signature with the
 * subscription's secret (set once the subscription exists) the way the README tells partners to.
 */
export async function startWebhookReceiver(answer: Answer = answerWith(204)) {
  const received: ReceivedWebhook[] = [];
  let secret = '';
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
      const given = Buffer.from(String(request.headers['x-signature'] ?? ''));
      received.push({ headers: request.headers, body, signatureValid: given.length === expected.length && timingSafeEqual(given, expected) });
      answer(response, received.length - 1);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/compliance`,
    port,
    received,
    useSecret: (value: string) => void (secret = value),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
export type WebhookReceiver = Awaited<ReturnType<typeof startWebhookReceiver>>;
