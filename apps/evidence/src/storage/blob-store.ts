import type { Readable } from 'node:stream';

/** What a blob is known by: the SHA-256 of its bytes (lowercase hex) and their number. */
export interface BlobAddress {
  sha256: string;
  sizeBytes: number;
}

/** Content received and hashed, held aside until it is committed to its address or discarded. */
export interface StagedBlob extends BlobAddress {
  /**
   * Makes the blob exist at its address, from the staged copy: kept as it is when a blob of the
   * same hash is already there (dedupe). Idempotent, so a caller that must be sure the blob
   * exists at a given moment (under a lock) may call it again.
   */
  commit(): Promise<void>;
  /** Removes the staged copy; the committed blob, if any, stays. Safe to call more than once. */
  discard(): Promise<void>;
}

export interface StageLimits {
  /** More bytes than this abort staging with PAYLOAD_TOO_LARGE; nothing is left behind. */
  maxBytes: number;
}

/**
 * Content-addressed storage of evidence files. Bytes are streamed, hashed on the way and never
 * held whole in memory; a blob is at least one byte (an empty body is refused with
 * BAD_USER_INPUT). A stream that fails midway, or runs over the limit, leaves nothing behind.
 */
export interface BlobStore {
  /** Streams `content` aside while hashing it; commit or discard the result. */
  stage(content: Readable, limits: StageLimits): Promise<StagedBlob>;
  /** The blob's bytes; the stream errors when there is no such blob. */
  open(sha256: string): Readable;
  exists(sha256: string): Promise<boolean>;
  /** Removes the blob; removing one that is not there is no error. */
  delete(sha256: string): Promise<void>;
  /** Releases connections, for stores that hold any. */
  close?(): void;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Addresses name files and keys: anything but a SHA-256 in hex is refused before it reaches a path. */
export function assertBlobAddress(sha256: string): string {
  if (!SHA256_HEX.test(sha256)) throw new Error('a blob address is a lowercase hex SHA-256');
  return sha256;
}
