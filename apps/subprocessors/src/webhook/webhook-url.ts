import { badUserInput } from '@compliance-graph/auth';
import { AddressRefused, allowedAddresses, type AddressPolicy } from './webhook-address';

export const WEBHOOK_URL_MAX_LENGTH = 2048;

/**
 * The contract's URL rules, checked when a subscription is created (and again at each
 * delivery, by the client's lookup): an absolute http(s) URL without credentials, https only
 * in production, and a host whose every address is allowed (webhook-address.ts). Returns the
 * URL as WHATWG parsing normalises it, which is what deliveries use.
 */
export async function checkWebhookUrl(url: string, policy: AddressPolicy): Promise<string> {
  if (url.length > WEBHOOK_URL_MAX_LENGTH) throw badUserInput(`url must be at most ${WEBHOOK_URL_MAX_LENGTH} characters`);
  let parsed: URL;
  try {
    // URL() quietly strips surrounding spaces and control characters; a URL with them is refused instead.
    if (url.trim() !== url || /[\p{Cc}\s]/u.test(url)) throw new TypeError('whitespace');
    parsed = new URL(url);
  } catch {
    throw badUserInput('url must be an absolute http or https URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw badUserInput('url must be an absolute http or https URL');
  if (policy.production && parsed.protocol !== 'https:') throw badUserInput('url must use https');
  if (parsed.username || parsed.password) throw badUserInput('url must not carry a user name or password');
  try {
    await allowedAddresses(parsed.hostname, policy);
  } catch (error) {
    if (error instanceof AddressRefused) throw badUserInput(`url: ${error.message}`);
    throw badUserInput(`url: ${parsed.hostname} does not resolve`);
  }
  return parsed.href;
}
