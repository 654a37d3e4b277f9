import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { checkpointOrigin, leafHashOf, TreeFrontier, verifyCheckpoint, type ExportRecord } from '@compliance-graph/audit-log';

/** A checkpoint file: the AuditCheckpoint object as JSON. */
export interface CheckpointFile {
  origin: string;
  treeSize: number;
  rootHash: string;
  body: string;
  signature: string;
  keyId: string;
}

export type Verdict = { ok: true; events: number; note?: string } | { ok: false; failure: string; seq?: number };

const fail = (failure: string, seq?: number): Verdict => ({ ok: false, failure, seq });

/**
 * Verifies an NDJSON audit export offline against a signed checkpoint and the published key:
 * every leaf recomputed from its record (RFC 8785 + RFC 9162), seqs contiguous from 0, the
 * root at the checkpoint's size equal to the signed one. Trusts nothing from our database
 * but what the signature covers; reports the first thing that fails.
 */
export async function verifyAuditExport(lines: AsyncIterable<string>, checkpoint: CheckpointFile, key: JsonWebKey & { kid?: string }): Promise<Verdict> {
  if (key.kid && key.kid !== checkpoint.keyId) return fail(`the checkpoint names key ${checkpoint.keyId}, the key file is ${key.kid}`);
  let publicKey;
  try {
    publicKey = createPublicKey({ key, format: 'jwk' });
  } catch {
    return fail('the key file is not an Ed25519 public JWK');
  }
  const signed = verifyCheckpoint({ body: checkpoint.body, signature: checkpoint.signature }, publicKey);
  if (!signed) return fail('the checkpoint signature does not verify with this key');
  if (signed.treeSize !== checkpoint.treeSize || signed.rootHash.toString('hex') !== checkpoint.rootHash || signed.origin !== checkpoint.origin) {
    return fail('the checkpoint fields differ from its signed body');
  }

  // Constant memory for an export of any length: the frontier, and the root once it reaches the signed size.
  const tree = new TreeFrontier();
  let rootAtSignedSize = signed.treeSize === 0 ? tree.root() : undefined;
  let tenantId: string | undefined;
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber += 1;
    if (line.trim() === '') continue;
    let record: ExportRecord;
    try {
      record = JSON.parse(line) as ExportRecord;
    } catch {
      return fail(`line ${lineNumber} is not JSON`, tree.size);
    }
    const seq = tree.size;
    if (record.seq !== seq) return fail(`expected seq ${seq}, found ${record.seq} (a record is missing, inserted or reordered)`, seq);
    tenantId ??= record.tenantId;
    if (record.tenantId !== tenantId || checkpointOrigin(tenantId) !== signed.origin) return fail(`seq ${seq} belongs to another log than the checkpoint`, seq);
    const leaf = leafHashOf(record);
    if (leaf.toString('hex') !== record.leafHash) return fail(`seq ${seq}: the record does not hash to its leafHash (it was changed)`, seq);
    tree.appendLeaf(leaf);
    if (tree.size === signed.treeSize) rootAtSignedSize = tree.root();
  }
  if (tree.size < signed.treeSize) return fail(`the export ends after ${tree.size} events; the checkpoint covers ${signed.treeSize} (truncated)`, tree.size);
  if (!rootAtSignedSize!.equals(signed.rootHash)) {
    return fail(`the root of the first ${signed.treeSize} events differs from the signed one (records were rewritten with their hashes)`);
  }
  const beyond = tree.size - signed.treeSize;
  return { ok: true, events: signed.treeSize, note: beyond > 0 ? `${beyond} later events are not covered by this checkpoint` : undefined };
}
