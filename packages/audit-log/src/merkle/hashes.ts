import { createHash } from 'node:crypto';

/** Every hash in the log is a SHA-256 digest. */
export const HASH_SIZE = 32;

// RFC 9162 section 2.1.1: leaves and interior nodes hash under different prefixes, so
// no leaf can be passed off as a subtree (second-preimage resistance).
const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** SHA-256(0x00 || data). */
export function leafHash(data: Buffer): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(data).digest();
}

/** SHA-256(0x01 || left || right). */
export function nodeHash(left: Buffer, right: Buffer): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/** The root of the empty tree: SHA-256 of the empty string. Treat as read-only. */
export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

export function isHash(value: unknown): value is Buffer {
  return Buffer.isBuffer(value) && value.length === HASH_SIZE;
}
