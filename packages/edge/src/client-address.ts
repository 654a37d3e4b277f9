import type { IncomingMessage } from 'node:http';

const normalise = (address: string) => address.replace(/^::ffff:/, '');

/** Whether the socket peer is a configured trusted proxy (whose headers may then be believed). */
export const fromTrustedProxy = (req: IncomingMessage, trustedProxies: readonly string[]): boolean =>
  trustedProxies.includes(normalise(req.socket.remoteAddress ?? ''));

/**
 * The client's address: the socket peer, unless that peer is a configured trusted proxy, in
 * which case the right-most X-Forwarded-For entry that is not itself a trusted proxy. What a
 * client writes into X-Forwarded-For on its own is never believed.
 */
export function clientAddress(req: IncomingMessage, trustedProxies: readonly string[]): string {
  const peer = normalise(req.socket.remoteAddress ?? '');
  if (!fromTrustedProxy(req, trustedProxies)) return peer;
  const header = req.headers['x-forwarded-for'];
  const chain = (Array.isArray(header) ? header.join(',') : header ?? '')
    .split(',')
    .map((entry) => normalise(entry.trim()))
    .filter(Boolean);
  for (let i = chain.length - 1; i >= 0; i--) {
    if (!trustedProxies.includes(chain[i])) return chain[i];
  }
  return peer;
}
