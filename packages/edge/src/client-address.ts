import type { IncomingMessage } from 'node:http';

const normalise = (address: string) => address.replace(/^::ffff:/, '');

/** Whether the socket peer is a configured trusted proxy (whose headers may then be believed). */
export const fromTrustedProxy = (req: IncomingMessage, trustedProxies: readonly string[]): boolean =>
  trustedProxies.includes(normalise(req.socket.remoteAddress ?? ''));

/**
 * The right-most X-Forwarded-For entry that is not itself a trusted proxy: the address the
 * nearest proxy we trust saw. Entries left of it are the client's own writing and never believed.
 */
export function forwardedClient(forwardedFor: string | string[] | undefined, trustedProxies: readonly string[]): string | undefined {
  const chain = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor ?? '')
    .split(',')
    .map((entry) => normalise(entry.trim()))
    .filter(Boolean);
  return chain.reverse().find((entry) => !trustedProxies.includes(entry));
}

/**
 * The client's address: the socket peer, unless that peer is a configured trusted proxy, in
 * which case the address that proxy forwarded (forwardedClient).
 */
export function clientAddress(req: IncomingMessage, trustedProxies: readonly string[]): string {
  const peer = normalise(req.socket.remoteAddress ?? '');
  if (!fromTrustedProxy(req, trustedProxies)) return peer;
  return forwardedClient(req.headers['x-forwarded-for'], trustedProxies) ?? peer;
}
