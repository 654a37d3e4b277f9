import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/** Every address a host name resolves to (injected, so tests can play a rebinding resolver). */
export type ResolveHost = (hostname: string) => Promise<string[]>;

export const systemResolver: ResolveHost = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((answer) => answer.address);

/** Where webhooks may go: in production global unicast only; in development loopback too. */
export interface AddressPolicy {
  production: boolean;
  resolve: ResolveHost;
}

/** A host that resolves to an address the policy refuses; `code` is what the delivery log shows. */
export class AddressRefused extends Error {
  readonly code = 'address_refused';
}

/** A host that does not resolve at all. */
export class HostNotFound extends Error {
  readonly code = 'dns';
}

/**
 * Why the address is refused (its ipaddr.js range: private, loopback, linkLocal,
 * carrierGradeNat, unspecified, uniqueLocal, multicast, reserved, 6to4, teredo, ...), or null.
 * `process` turns IPv4-mapped IPv6 (`::ffff:10.0.0.1`) into the IPv4 address it stands for.
 */
export function refusedRange(address: string, production: boolean): string | null {
  const range = ipaddr.process(address).range();
  if (range === 'unicast') return null;
  if (!production && range === 'loopback') return null;
  return range;
}

const bare = (hostname: string) => (hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname);

/**
 * The addresses of `hostname`, every one of them allowed, or an error: a name is refused when
 * any of its addresses is, since the client could be handed any of them.
 */
export async function allowedAddresses(hostname: string, policy: AddressPolicy): Promise<{ address: string; family: 4 | 6 }[]> {
  const host = bare(hostname);
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = await policy.resolve(host);
    } catch {
      throw new HostNotFound(`${host} does not resolve`);
    }
  }
  if (addresses.length === 0) throw new HostNotFound(`${host} does not resolve`);
  for (const address of addresses) {
    if (!ipaddr.isValid(address)) throw new AddressRefused(`${host} resolves to an invalid address`);
    const range = refusedRange(address, policy.production);
    if (range) throw new AddressRefused(`${host} resolves to a ${range} address, which webhooks may not reach`);
  }
  return addresses.map((address) => ({ address, family: isIP(address) as 4 | 6 }));
}
