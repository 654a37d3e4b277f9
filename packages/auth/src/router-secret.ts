import { createHash, timingSafeEqual } from 'node:crypto';

export const ROUTER_SECRET_HEADER = 'x-router-secret';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Constant-time comparison of a presented secret (router secret, service credential) with the configured one. */
export function matchesSecret(presented: string | string[] | undefined, expected: string): boolean {
  if (typeof presented !== 'string' || presented.length === 0) return false;
  return timingSafeEqual(digest(presented), digest(expected));
}
