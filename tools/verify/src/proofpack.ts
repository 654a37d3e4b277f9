import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import canonicalize from 'canonicalize';
import { z } from 'zod';
import { auditRecordSchema, checkpointOrigin, describeIssues, leafHashOf, verifyCheckpoint, verifyInclusion, type ExportRecord } from '@compliance-graph/audit-log';
import {
  BAG,
  BAGIT_DECLARATION,
  PROOFPACK_FORMAT,
  controlCoverage,
  coverageCsv,
  parseBagInfo,
  parseManifest,
  payloadOxum,
  proofpackManifestSchema,
  revisionPath,
  type BagEntry,
  type ProofpackManifest,
} from '@compliance-graph/proofpack';
import { checkCompleteness, describeRecord } from './completeness';
import { fail, VerificationFailure } from './failure';
import type { PublishedKey, TrustedKeys } from './trusted-keys';
import { zipEntries } from './zip-reader';

/** Every file of the ZIP hashed as it streams by; the tag and JSON files also kept, up to a cap. */
interface Bag {
  files: Map<string, BagEntry>;
  kept: Map<string, Buffer>;
}

const TAG_FILES: readonly string[] = [BAG.declaration, BAG.info, BAG.manifest, BAG.tagManifest];
const SIGNED_PAYLOAD_FILES: readonly string[] = [BAG.proofpack, BAG.signature, BAG.keys, BAG.coverage];
const MAX_KEPT_BYTES = 64 * 1024 * 1024;
const REQUIRED_BAG_INFO = ['Source-Organization', 'Bagging-Date', 'Payload-Oxum'];

const packKeysSchema = z.object({ keys: z.array(z.looseObject({ kid: z.string() })) });
const exportRecordSchema = auditRecordSchema.extend({ seq: z.number().int().nonnegative(), recordedAt: z.string(), leafHash: z.string() });

/**
 * Verifies a proofpack ZIP offline, trusting only `trusted`: the bag, every file's hash, the
 * manifest's signature, the keys, every audit record against the signed checkpoint, and the
 * completeness of the pack's audit history. Returns the ok line; throws VerificationFailure
 * naming the first file or record that does not hold.
 */
export async function verifyProofpack(zipPath: string, trusted: TrustedKeys): Promise<string> {
  const bag = await readBag(zipPath);
  checkBag(bag);
  const manifestBytes = kept(bag, BAG.proofpack);
  const manifest = parseProofpackManifest(manifestBytes);
  const { signingKey, checkpointKey } = trustedPackKeys(bag, manifest, trusted);
  checkManifestSignature(bag, manifestBytes, signingKey, manifest.signingKeyId);
  checkPayloadAgainstManifest(bag, manifest);
  checkCheckpoint(manifest, checkpointKey);
  const records = provenRecords(manifest);
  checkCompleteness(manifest, records);
  const { proofpack, evidence, audit } = manifest;
  return `ok: proofpack ${proofpack.id} "${proofpack.title}", ${evidence.length} items, ${payloadFiles(bag).length} files, ${records.length} audit records proven against checkpoint of size ${audit.checkpoint.treeSize} (keys: among those of ${trusted.source})`;
}

async function readBag(zipPath: string): Promise<Bag> {
  const bag: Bag = { files: new Map(), kept: new Map() };
  try {
    for await (const { name, content } of zipEntries(zipPath)) {
      const keep = TAG_FILES.includes(name) || SIGNED_PAYLOAD_FILES.includes(name);
      const hash = createHash('sha256');
      const chunks: Buffer[] = [];
      let sizeBytes = 0;
      for await (const chunk of content as AsyncIterable<Buffer>) {
        hash.update(chunk);
        sizeBytes += chunk.length;
        if (keep && sizeBytes > MAX_KEPT_BYTES) fail(`${name} is larger than ${MAX_KEPT_BYTES} bytes`);
        if (keep) chunks.push(chunk);
      }
      bag.files.set(name, { path: name, sha256: hash.digest('hex'), sizeBytes });
      if (keep) bag.kept.set(name, Buffer.concat(chunks));
    }
  } catch (error) {
    // An I/O error is the machine's problem, not the pack's.
    if (error instanceof VerificationFailure || (error as NodeJS.ErrnoException).syscall) throw error;
    fail(`the ZIP cannot be read: ${(error as Error).message}`);
  }
  return bag;
}

const kept = (bag: Bag, name: string): Buffer => bag.kept.get(name) ?? fail(`${name} is missing from the ZIP`);
const payloadFiles = (bag: Bag) => [...bag.files.values()].filter((file) => file.path.startsWith('data/'));

/** RFC 8493: the declaration, both manifests exactly covering their files, the labels and the Payload-Oxum. */
function checkBag(bag: Bag): void {
  if (kept(bag, BAG.declaration).toString() !== BAGIT_DECLARATION) fail(`${BAG.declaration} is not the BagIt 1.0 declaration`);
  checkManifestCovers(bag, BAG.tagManifest, [BAG.declaration, BAG.info, BAG.manifest]);
  const payload = payloadFiles(bag);
  checkManifestCovers(bag, BAG.manifest, payload.map((file) => file.path));
  const stray = [...bag.files.keys()].find((name) => !name.startsWith('data/') && !TAG_FILES.includes(name));
  if (stray) fail(`${stray} is neither a tag file nor under data/`);
  const info = parseTagFile(BAG.info, parseBagInfo, kept(bag, BAG.info));
  const absent = REQUIRED_BAG_INFO.find((label) => !info.get(label));
  if (absent) fail(`${BAG.info} has no ${absent}`);
  if (info.get('Payload-Oxum') !== payloadOxum(payload)) fail(`${BAG.info}: Payload-Oxum ${info.get('Payload-Oxum')} is not the payload's ${payloadOxum(payload)}`);
}

function parseTagFile<T>(name: string, parse: (text: string) => T, bytes: Buffer): T {
  try {
    return parse(bytes.toString());
  } catch (error) {
    return fail(`${name}: ${(error as Error).message}`);
  }
}

/** The manifest lists exactly `names`, each with the SHA-256 of the file the ZIP holds. */
function checkManifestCovers(bag: Bag, manifestName: string, names: readonly string[]): void {
  const listed = parseTagFile(manifestName, parseManifest, kept(bag, manifestName));
  const unlisted = names.find((name) => !listed.has(name));
  if (unlisted) fail(`${unlisted} is in the ZIP but not listed in ${manifestName}`);
  for (const [name, sha256] of listed) {
    const file = bag.files.get(name) ?? fail(`${name} is listed in ${manifestName} but missing from the ZIP`);
    if (!names.includes(name)) fail(`${manifestName} lists ${name}, which it does not cover`);
    if (file.sha256 !== sha256) fail(`${name} does not match its SHA-256 in ${manifestName}`);
  }
}

function parseProofpackManifest(bytes: Buffer): ProofpackManifest {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString());
  } catch {
    fail(`${BAG.proofpack} is not JSON`);
  }
  // The signed bytes are the canonical form: no duplicate keys, so no two readings of one signature.
  if (canonicalize(json) !== bytes.toString()) fail(`${BAG.proofpack} is not RFC 8785 canonical JSON`);
  const parsed = proofpackManifestSchema.safeParse(json);
  if (!parsed.success) fail(`${BAG.proofpack} is not a proofpack manifest of a known format (${PROOFPACK_FORMAT} or earlier): ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** The signing and checkpoint keys data/keys.json names, each one the trusted source publishes in that role. */
function trustedPackKeys(bag: Bag, manifest: ProofpackManifest, trusted: TrustedKeys): { signingKey: KeyObject; checkpointKey: KeyObject } {
  const keys = parseTagFile(BAG.keys, (text) => packKeysSchema.parse(JSON.parse(text)), kept(bag, BAG.keys)).keys;
  const packKey = (kid: string, role: string) => keys.find((key) => key.kid === kid) ?? fail(`${BAG.keys} has no ${role} key ${kid}`);
  const signing = packKey(manifest.signingKeyId, 'signing');
  const checkpoint = packKey(manifest.audit.checkpoint.keyId, 'checkpoint');
  return {
    signingKey: publishedKey(signing, trusted.signing, `proofpack signing keys of ${trusted.source}`),
    checkpointKey: publishedKey(checkpoint, trusted.checkpoint, `audit checkpoint keys of ${trusted.source}`),
  };
}

/** The Ed25519 key `jwk` stands for, if the trusted list has it under the same id with the same key material. */
function publishedKey(jwk: { kid: string } & Record<string, unknown>, published: readonly PublishedKey[], listName: string): KeyObject {
  const listed = published.find((key) => key.keyId === jwk.kid) ?? fail(`${BAG.keys}: key ${jwk.kid} is not among the ${listName}`);
  const material = (key: Record<string, unknown>) => JSON.stringify([key.kty, key.crv, key.x]);
  if (material(jwk) !== material(listed.publicKeyJwk)) fail(`${BAG.keys}: key ${jwk.kid} is not the key the ${listName} publish under that id`);
  let key: KeyObject | undefined;
  try {
    key = createPublicKey({ key: listed.publicKeyJwk as never, format: 'jwk' });
  } catch {
    // reported below, with the key's id
  }
  if (key?.asymmetricKeyType !== 'ed25519') fail(`${BAG.keys}: key ${jwk.kid} is not an Ed25519 public key`);
  return key;
}

function checkManifestSignature(bag: Bag, manifestBytes: Buffer, signingKey: KeyObject, keyId: string): void {
  const text = kept(bag, BAG.signature).toString();
  const signature = Buffer.from(text.trimEnd(), 'base64');
  // Only the writer's form, canonical base64 and a newline: one signature, one spelling.
  const wellFormed = text === `${signature.toString('base64')}\n` && signature.length === 64;
  if (!wellFormed || !verify(null, manifestBytes, signingKey, signature)) fail(`${BAG.signature} is not a signature of ${BAG.proofpack} by key ${keyId}`);
}

/** The payload is what the signed manifest states: its revisions' files and hashes, its coverage table, nothing else. */
function checkPayloadAgainstManifest(bag: Bag, manifest: ProofpackManifest): void {
  const expected = new Set(SIGNED_PAYLOAD_FILES);
  for (const item of manifest.evidence) {
    for (const revision of item.revisions) {
      const where = `revision ${revision.version} of evidence ${item.id} in ${BAG.proofpack}`;
      if (revision.path !== revisionPath(item.id, revision.version, revision.fileName)) fail(`${revision.path} is not where ${where} belongs`);
      const file = bag.files.get(revision.path) ?? fail(`${revision.path} (${where}) is missing from the ZIP`);
      if (file.sha256 !== revision.sha256 || file.sizeBytes !== revision.sizeBytes) fail(`${revision.path} is not the file of ${where}`);
      expected.add(revision.path);
    }
  }
  const unsigned = payloadFiles(bag).find((file) => !expected.has(file.path));
  if (unsigned) fail(`${unsigned.path} is not part of the signed pack`);
  if (canonicalize(manifest.coverage) !== canonicalize(controlCoverage(manifest.evidence))) fail(`${BAG.proofpack}: the coverage table is not its items' control references`);
  if (kept(bag, BAG.coverage).toString() !== coverageCsv(manifest)) fail(`${BAG.coverage} is not the coverage table of ${BAG.proofpack}`);
}

/** The checkpoint: signed by the audit key, of this tenant's log, stating the size and root the manifest gives. */
function checkCheckpoint(manifest: ProofpackManifest, checkpointKey: KeyObject): void {
  const { checkpoint } = manifest.audit;
  const signed = verifyCheckpoint(checkpoint, checkpointKey) ?? fail(`the checkpoint's signature does not verify with key ${checkpoint.keyId}`);
  if (signed.origin !== checkpointOrigin(manifest.proofpack.tenantId)) fail(`the checkpoint is of the log ${signed.origin}, not the pack's tenant's`);
  if (checkpoint.origin !== signed.origin || checkpoint.treeSize !== signed.treeSize || checkpoint.rootHash !== signed.rootHash.toString('hex')) {
    fail(`the checkpoint's origin, treeSize or rootHash differ from its signed body`);
  }
}

/** Each audit event: an export record of the pack's tenant, hashing to its leaf, proven at its seq under the checkpoint's root. */
function provenRecords(manifest: ProofpackManifest): ExportRecord[] {
  const { checkpoint, events } = manifest.audit;
  const root = Buffer.from(checkpoint.rootHash, 'hex');
  return events.map(({ record: raw, leafIndex, auditPath }, index) => {
    const parsed = exportRecordSchema.safeParse(raw);
    if (!parsed.success) fail(`audit event ${index} is not an audit record: ${describeIssues(parsed.error)}`);
    const record = parsed.data;
    const wrong = (why: string): never => fail(`${describeRecord(record)} ${why}`);
    if (record.tenantId !== manifest.proofpack.tenantId) wrong(`belongs to another tenant's log`);
    // The record as the pack states it, not as the schema read it: the leaf covers every byte.
    const leaf = leafHashOf(raw as ExportRecord);
    if (leaf.toString('hex') !== record.leafHash) wrong('does not hash to its leafHash (it was changed)');
    if (leafIndex !== record.seq) wrong(`is proven at leaf ${leafIndex}, not at its seq`);
    if (leafIndex >= checkpoint.treeSize) wrong(`lies beyond the checkpoint's ${checkpoint.treeSize} leaves`);
    const path = auditPath.map((hash) => Buffer.from(hash, 'hex'));
    if (!verifyInclusion(leaf, leafIndex, checkpoint.treeSize, path, root)) wrong(`is not in the checkpoint's tree: its inclusion proof does not lead to the signed root`);
    return record;
  });
}
