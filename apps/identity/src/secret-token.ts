import { createHash, randomBytes } from 'node:crypto';

/**
 * Opaque bearer secrets (refresh tokens, invitation tokens): 256 random bits behind a prefix
 * that says what they are. Only the SHA-256 is stored; it is enough for secrets with this
 * much entropy, and lets a lookup by hash find the row.
 */
export function newSecretToken(prefix: string): { token: string; hash: Buffer } {
  const token = `${prefix}${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashSecretToken(token) };
}

export const hashSecretToken = (token: string) => createHash('sha256').update(token, 'utf8').digest();
