import { sign, verify, type KeyObject } from 'node:crypto';
import { HASH_SIZE } from './hashes';

/**
 * Checkpoints (signed tree heads) as audit.graphql fixes them: the body
 * "<origin>\n<treeSize>\n<base64 of the 32-byte root hash>\n", signed with Ed25519, the
 * signature given as base64 of its 64 raw bytes.
 */

const ORIGIN_PREFIX = 'compliance-graph/audit/';
// A tenant id becomes part of a line of signed text, so it may not contain whitespace or
// control characters that could split or disguise that line.
const TENANT_ID = /^[\x21-\x7e]+$/;
const DECIMAL_WITHOUT_LEADING_ZEROS = /^(0|[1-9][0-9]*)$/;
const ED25519_SIGNATURE_SIZE = 64;

export interface CheckpointFields {
  origin: string;
  treeSize: number;
  rootHash: Buffer;
}

export interface SignedCheckpoint {
  /** The exact signed text. */
  body: string;
  /** Base64 of the 64-byte Ed25519 signature over the UTF-8 bytes of `body`. */
  signature: string;
}

export class CheckpointFormatError extends Error {
  override readonly name = 'CheckpointFormatError';
}

/** The origin line of a tenant's log: "compliance-graph/audit/<tenantId>". */
export function checkpointOrigin(tenantId: string): string {
  if (!TENANT_ID.test(tenantId)) throw new CheckpointFormatError('a tenant id must be printable ASCII without spaces');
  return ORIGIN_PREFIX + tenantId;
}

export function formatCheckpointBody(fields: CheckpointFields): string {
  assertOrigin(fields.origin);
  if (!Number.isSafeInteger(fields.treeSize) || fields.treeSize < 0) throw new CheckpointFormatError('the tree size must be a non-negative integer');
  if (!Buffer.isBuffer(fields.rootHash) || fields.rootHash.length !== HASH_SIZE) throw new CheckpointFormatError(`the root hash must be ${HASH_SIZE} bytes`);
  return `${fields.origin}\n${fields.treeSize}\n${fields.rootHash.toString('base64')}\n`;
}

/**
 * Reads a body back, strictly: exactly three lines each ended by "\n", our origin, a decimal
 * tree size without leading zeros, and canonical base64 of a 32-byte root. Strictness keeps
 * one tree head from having two signable spellings. Throws CheckpointFormatError.
 */
export function parseCheckpointBody(body: string): CheckpointFields {
  if (!body.endsWith('\n')) throw new CheckpointFormatError('the body must end with a newline');
  const lines = body.slice(0, -1).split('\n');
  if (lines.length !== 3) throw new CheckpointFormatError(`the body must have exactly 3 lines, found ${lines.length}`);
  const [origin, treeSizeLine, rootLine] = lines;
  assertOrigin(origin);
  return { origin, treeSize: parseTreeSize(treeSizeLine), rootHash: parseRootHash(rootLine) };
}

/** Formats the body and signs it with an Ed25519 private key. */
export function signCheckpoint(fields: CheckpointFields, privateKey: KeyObject): SignedCheckpoint {
  assertEd25519(privateKey);
  const body = formatCheckpointBody(fields);
  return { body, signature: sign(null, Buffer.from(body, 'utf8'), privateKey).toString('base64') };
}

/**
 * The fields of a checkpoint whose signature verifies under `publicKey` and whose body is
 * well formed; undefined otherwise. Callers still compare the origin with the tenant they
 * expect, and the size and root with what they are checking.
 */
export function verifyCheckpoint(checkpoint: SignedCheckpoint, publicKey: KeyObject): CheckpointFields | undefined {
  assertEd25519(publicKey);
  const signature = decodeCanonicalBase64(checkpoint.signature);
  if (signature?.length !== ED25519_SIGNATURE_SIZE) return undefined;
  if (!verify(null, Buffer.from(checkpoint.body, 'utf8'), publicKey, signature)) return undefined;
  try {
    return parseCheckpointBody(checkpoint.body);
  } catch (error) {
    if (error instanceof CheckpointFormatError) return undefined;
    throw error;
  }
}

function assertOrigin(origin: string): void {
  if (!origin.startsWith(ORIGIN_PREFIX) || !TENANT_ID.test(origin.slice(ORIGIN_PREFIX.length))) {
    throw new CheckpointFormatError(`the origin must be "${ORIGIN_PREFIX}<tenantId>"`);
  }
}

function parseTreeSize(line: string): number {
  const treeSize = Number(line);
  if (!DECIMAL_WITHOUT_LEADING_ZEROS.test(line) || !Number.isSafeInteger(treeSize)) {
    throw new CheckpointFormatError('the tree size must be a decimal integer without leading zeros');
  }
  return treeSize;
}

function parseRootHash(line: string): Buffer {
  const rootHash = decodeCanonicalBase64(line);
  if (rootHash?.length !== HASH_SIZE) throw new CheckpointFormatError(`the root hash must be base64 of ${HASH_SIZE} bytes`);
  return rootHash;
}

// Buffer.from(text, 'base64') skips characters it does not know and accepts missing padding;
// re-encoding and comparing admits only the one canonical spelling.
function decodeCanonicalBase64(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

// crypto.sign(null, …) picks the algorithm from the key, so any other key type would
// silently produce a signature no checkpoint verifier accepts.
function assertEd25519(key: KeyObject): void {
  if (key.asymmetricKeyType !== 'ed25519') throw new TypeError(`checkpoints are signed with Ed25519 keys, not ${key.asymmetricKeyType ?? key.type}`);
}
