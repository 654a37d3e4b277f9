import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import canonicalize from 'canonicalize';
import { ZipFile } from 'yazl';
import { leafHashOf, signCheckpoint, parseCheckpointBody, type ExportRecord } from '@compliance-graph/audit-log';
import { BAG, manifestText, payloadOxum, sha256Hex, type ProofpackManifest } from '@compliance-graph/proofpack';
import { bearer, closeAdmin } from '@compliance-graph/testing';
import { TRUSTED_KEYS_QUERY } from '@compliance-graph/verify';
import { joinTenant, signUp, type AuthPayload } from './accounts';
import { graphqlClient } from './graphql-client';
import { ok, proofpackSteps, unzip } from './proofpacks';
import { startStack, type Stack } from './stack';
import { uploadFile } from './uploads';

const VERIFY_CLI = join(__dirname, '../../tools/verify/dist/main.js');

type Files = Map<string, Buffer>;

/** A ZIP of these entries in this order, each entry's bytes as given (yazl writes a name twice if told to). */
async function zipOf(entries: Iterable<[string, Buffer]>): Promise<Buffer> {
  const zip = new ZipFile();
  for (const [name, bytes] of entries) zip.addBuffer(bytes, name);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The bag made consistent again after a change of its payload: manifest, Payload-Oxum and tag manifest recomputed. */
function rebag(files: Files): Files {
  const entry = (path: string) => ({ path, sha256: sha256Hex(files.get(path)!), sizeBytes: files.get(path)!.length });
  const payload = [...files.keys()].filter((path) => path.startsWith('data/')).map(entry);
  const next = new Map(files);
  next.set(BAG.manifest, Buffer.from(manifestText(payload)));
  next.set(BAG.info, Buffer.from(files.get(BAG.info)!.toString().replace(/Payload-Oxum: .*/, `Payload-Oxum: ${payloadOxum(payload)}`)));
  const tags = [BAG.declaration, BAG.info, BAG.manifest].map((path) => ({ path, sha256: sha256Hex(next.get(path)!), sizeBytes: next.get(path)!.length }));
  next.set(BAG.tagManifest, Buffer.from(manifestText(tags)));
  return next;
}

const withFile = (files: Files, path: string, bytes: Buffer) => new Map(files).set(path, bytes);
const manifestOf = (files: Files): ProofpackManifest => JSON.parse(files.get(BAG.proofpack)!.toString());
const manifestBytes = (manifest: ProofpackManifest) => Buffer.from(canonicalize(manifest)!);
const publicJwk = (kid: string, key: KeyObject) => ({ ...key.export({ format: 'jwk' }), kid, alg: 'EdDSA', use: 'sig' });
/**
 * keys.json with its signing key (slot 0) or checkpoint key (slot 1) replaced. By slot, not by
 * kid: the test stack signs packs and checkpoints with one key, so both slots share a kid.
 */
const withPackKey = (files: Files, slot: 0 | 1, jwk: Record<string, unknown>) => {
  const keys: unknown[] = JSON.parse(files.get(BAG.keys)!.toString()).keys;
  return withFile(files, BAG.keys, Buffer.from(JSON.stringify({ keys: keys.map((key, index) => (index === slot ? jwk : key)) })));
};

interface TestKey {
  kid: string;
  privateKey: KeyObject;
  jwk: Record<string, unknown>;
}
const testKey = (kid: string): TestKey => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { kid, privateKey, jwk: publicJwk(kid, publicKey) };
};

/** The verifier on a tampered or intact pack: what someone holding a proofpack signing key (not the audit log) can make of it. */
describe('npm run verify -- proofpack', () => {
  let stack: Stack;
  let gql: ReturnType<typeof graphqlClient>;
  let owner: AuthPayload;
  let member: AuthPayload;
  let auditor: AuthPayload;
  let original: Files;
  const dir = mkdtempSync(join(tmpdir(), 'cg-proofpack-'));
  const { approvedItem, submitAndDecide, createPack, seal, download } = proofpackSteps(() => ({ gatewayUrl: stack.gatewayUrl, gql, owner, member }));

  /** A signing key the trusted key file lists: the attacker holds the evidence service's key, not the audit log's. */
  const heldSigningKey = testKey('held-signing-key');
  /** An audit key a second trusted key file lists, to reach the checks behind key trust. */
  const rogueAuditKey = testKey('rogue-audit-key');
  const keyFiles = {
    published: join(dir, 'published.json'),
    withHeldKey: join(dir, 'with-held-key.json'),
    /** The held signing key and a rogue audit key. */
    withRogueAuditKey: join(dir, 'with-rogue-audit-key.json'),
  };

  const verifyCli = async (zip: Iterable<[string, Buffer]> | Buffer, options: string[], env: Record<string, string> = {}) => {
    const zipFile = join(dir, `${randomBytes(6).toString('hex')}.zip`);
    writeFileSync(zipFile, Buffer.isBuffer(zip) ? zip : await zipOf(zip));
    try {
      const { stdout } = await promisify(execFile)(process.execPath, [VERIFY_CLI, 'proofpack', zipFile, ...options], { encoding: 'utf8', env: { ...process.env, ...env } });
      return { code: 0, out: stdout };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, out: failed.stdout + failed.stderr };
    }
  };

  /** The manifest changed by `change`, the bag made consistent, the signature left as it was. */
  const withManifest = (files: Files, change: (manifest: ProofpackManifest) => void) => {
    const manifest = manifestOf(files);
    change(manifest);
    return rebag(withFile(files, BAG.proofpack, manifestBytes(manifest)));
  };
  /** The manifest changed by `change` and signed with `key`, which keys.json then carries as the signing key. */
  const resigned = (files: Files, change: (manifest: ProofpackManifest) => void, key = heldSigningKey) => {
    const changed = withManifest(files, (manifest) => {
      change(manifest);
      manifest.signingKeyId = key.kid;
    });
    const signature = Buffer.from(`${sign(null, changed.get(BAG.proofpack)!, key.privateKey).toString('base64')}\n`);
    return rebag(withPackKey(withFile(changed, BAG.signature, signature), 0, key.jwk));
  };
  /** The checkpoint replaced by `fields` signed with `key`, which keys.json then carries as the checkpoint key. */
  const withCheckpoint = (files: Files, key: TestKey, fields: (signed: ReturnType<typeof parseCheckpointBody>) => ReturnType<typeof parseCheckpointBody>) => {
    return resigned(withPackKey(files, 1, key.jwk), (manifest) => {
      const { body, signature } = signCheckpoint(fields(parseCheckpointBody(manifest.audit.checkpoint.body)), key.privateKey);
      Object.assign(manifest.audit.checkpoint, { body, signature, keyId: key.kid });
    });
  };
  const events = (manifest: ProofpackManifest) => manifest.audit.events;
  const recordOf = (manifest: ProofpackManifest, action: string) => events(manifest).find((event) => event.record.action === action)!;
  /** How the verifier names the first record of `action` in the pack as sealed. */
  const recordNamed = (action: string) => {
    const { seq, subjectType, subjectId } = recordOf(manifestOf(original), action).record;
    return `audit record seq ${String(seq)} (${action} of ${String(subjectType)} ${String(subjectId)})`;
  };
  const firstItem = () => manifestOf(original).evidence[0];

  beforeAll(async () => {
    stack = await startStack();
    gql = graphqlClient(stack.gatewayUrl);
    owner = await signUp(gql, 'Verified');
    [member, auditor] = await Promise.all(['MEMBER', 'AUDITOR'].map((role) => joinTenant(gql, owner.accessToken, role)));
    // One item approved at once; one approved, revised, rejected, revised and approved: every kind of step.
    const plain = await approvedItem('Access policy', randomBytes(3000), ['SOC2:CC6.1']);
    const revised = await approvedItem('Access review', randomBytes(2000), ['SOC2:CC6.1', 'ISO27001:A.5.18']);
    for (const decision of ['REJECT', 'APPROVE'] as const) {
      const { uploadId } = await uploadFile(stack.gatewayUrl, member.accessToken, randomBytes(1000), 'Access review.pdf');
      ok(await gql('mutation ($id: ID!, $u: ID!) { addEvidenceRevision(evidenceId: $id, uploadId: $u) { id } }', { id: revised, u: uploadId }, member.accessToken));
      await submitAndDecide(revised, decision);
    }
    const pack = ok(await createPack(owner.accessToken, [plain, revised])).createProofpack;
    const sealed = ok(await seal(owner.accessToken, pack.id)).sealProofpack;
    original = await unzip(Buffer.from(await (await download(auditor.accessToken, sealed.downloadPath)).arrayBuffer()));

    const published = await (await fetch(`${stack.gatewayUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(auditor.accessToken) }, body: JSON.stringify({ query: TRUSTED_KEYS_QUERY }) })).json() as {
      data: Record<'proofpackSigningKeys' | 'auditPublicKeys', unknown[]>;
    };
    const adding = (answer: typeof published, list: 'proofpackSigningKeys' | 'auditPublicKeys', key: TestKey) => ({
      data: { ...answer.data, [list]: [...answer.data[list], { keyId: key.kid, publicKeyJwk: key.jwk }] },
    });
    writeFileSync(keyFiles.published, JSON.stringify(published));
    const withHeldKey = adding(published, 'proofpackSigningKeys', heldSigningKey);
    writeFileSync(keyFiles.withHeldKey, JSON.stringify(withHeldKey));
    writeFileSync(keyFiles.withRogueAuditKey, JSON.stringify(adding(withHeldKey, 'auditPublicKeys', rogueAuditKey)));
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await closeAdmin();
  });

  it('says ok for the pack as sealed, with the key file or the graph, and refuses to run without trusted keys', async () => {
    const manifest = manifestOf(original);
    const line = `ok: proofpack ${manifest.proofpack.id} "SOC 2 Type II, 2026", 2 items, ${[...original.keys()].filter((name) => name.startsWith('data/')).length} files, ${events(manifest).length} audit records proven against checkpoint of size ${manifest.audit.checkpoint.treeSize}`;
    const offline = await verifyCli(original, ['--keys', keyFiles.published]);
    expect(offline).toEqual({ code: 0, out: `${line} (keys: among those of the key file ${keyFiles.published})\n` });
    const online = await verifyCli(original, ['--graph', stack.gatewayUrl], { CG_TOKEN: auditor.accessToken });
    expect(online).toEqual({ code: 0, out: `${line} (keys: among those of ${stack.gatewayUrl}/graphql)\n` });
    expect((await verifyCli(original, [])).code).toBe(2);
    expect((await verifyCli(original, ['--graph', stack.gatewayUrl], { CG_TOKEN: '' })).code).toBe(2);
  });

  it('says ok for the pack re-signed unchanged with a held key the key file trusts: each case below changes one thing more', async () => {
    const result = await verifyCli(resigned(original, () => undefined), ['--keys', keyFiles.withRogueAuditKey]);
    expect(result).toMatchObject({ code: 0, out: expect.stringMatching(/^ok: proofpack /) });
    const rogueCheckpoint = withCheckpoint(original, rogueAuditKey, (fields) => fields);
    expect(await verifyCli(rogueCheckpoint, ['--keys', keyFiles.withRogueAuditKey])).toMatchObject({ code: 0 });
  });

  const flippedFirstByte = (bytes: Buffer) => Buffer.concat([Buffer.from([bytes[0] ^ 0xff]), bytes.subarray(1)]);
  const evidenceFile = () => firstItem().revisions[0].path;

  // Each case: what was done to the pack, the key file the verifier trusts, and what its failure must name.
  const cases: Array<{ name: string; tamper: () => Iterable<[string, Buffer]>; trusting?: keyof typeof keyFiles; names: () => string }> = [
    {
      name: 'a changed evidence byte',
      tamper: () => withFile(original, evidenceFile(), flippedFirstByte(original.get(evidenceFile())!)),
      names: () => `${evidenceFile()} does not match its SHA-256 in manifest-sha256.txt`,
    },
    {
      name: 'a removed file',
      tamper: () => [...original].filter(([path]) => path !== evidenceFile()),
      names: () => `${evidenceFile()} is listed in manifest-sha256.txt but missing from the ZIP`,
    },
    { name: 'an added file', tamper: () => withFile(original, 'data/extra.pdf', Buffer.from('more')), names: () => 'data/extra.pdf is in the ZIP but not listed in manifest-sha256.txt' },
    { name: 'an added file, hashed into the bag', tamper: () => rebag(withFile(original, 'data/extra.pdf', Buffer.from('more'))), names: () => 'data/extra.pdf is not part of the signed pack' },
    { name: 'a ZIP entry given twice', tamper: () => [...original, [BAG.proofpack, original.get(BAG.proofpack)!]], names: () => 'the ZIP holds data/proofpack.json twice' },
    {
      name: 'a changed manifest',
      tamper: () => withManifest(original, (manifest) => void (manifest.proofpack.title = 'SOC 2 Type I, 2026')),
      names: () => 'data/proofpack.json.sig is not a signature of data/proofpack.json',
    },
    {
      name: 'a wrong signature',
      tamper: () => rebag(withFile(original, BAG.signature, Buffer.from(`${sign(null, original.get(BAG.proofpack)!, heldSigningKey.privateKey).toString('base64')}\n`))),
      names: () => 'data/proofpack.json.sig is not a signature of data/proofpack.json',
    },
    {
      name: 'a key not among the published ones',
      tamper: () => resigned(original, () => undefined, testKey('unpublished-key')),
      names: () => 'data/keys.json: key unpublished-key is not among the proofpack signing keys',
    },
    {
      name: 'another key under the published key id',
      tamper: () => resigned(original, () => undefined, testKey(manifestOf(original).signingKeyId)),
      names: () => `data/keys.json: key ${manifestOf(original).signingKeyId} is not the key the proofpack signing keys`,
    },
    {
      name: 'a changed audit record, the signature kept',
      tamper: () => withManifest(original, (manifest) => void (recordOf(manifest, 'evidence.decided').record.reason = 'Looks fine')),
      names: () => 'data/proofpack.json.sig is not a signature of data/proofpack.json',
    },
    {
      name: 'a changed audit record, re-signed with a held signing key',
      tamper: () => resigned(original, (manifest) => void (recordOf(manifest, 'evidence.decided').record.reason = 'Looks fine')),
      trusting: 'withHeldKey',
      names: () => `${recordNamed('evidence.decided')} does not hash to its leafHash`,
    },
    {
      name: 'a changed audit record with its leaf hash recomputed',
      tamper: () =>
        resigned(original, (manifest) => {
          const { record } = recordOf(manifest, 'evidence.decided');
          record.reason = 'Looks fine';
          record.leafHash = leafHashOf(record as unknown as ExportRecord).toString('hex');
        }),
      trusting: 'withHeldKey',
      names: () => `${recordNamed('evidence.decided')} is not in the checkpoint's tree`,
    },
    {
      name: 'a wrong inclusion path',
      tamper: () => resigned(original, (manifest) => void (recordOf(manifest, 'proofpack.created').auditPath[0] = sha256Hex('another subtree'))),
      trusting: 'withHeldKey',
      names: () => `${recordNamed('proofpack.created')} is not in the checkpoint's tree`,
    },
    {
      name: 'a checkpoint signed by another key',
      tamper: () => withCheckpoint(original, testKey('unknown-audit-key'), (fields) => fields),
      trusting: 'withHeldKey',
      names: () => 'data/keys.json: key unknown-audit-key is not among the audit checkpoint keys',
    },
    {
      name: 'a checkpoint signed with the (trusted) proofpack signing key',
      tamper: () => withCheckpoint(original, heldSigningKey, (fields) => fields),
      trusting: 'withHeldKey',
      names: () => 'data/keys.json: key held-signing-key is not among the audit checkpoint keys',
    },
    {
      name: 'a checkpoint by a trusted key whose signed body is not the stated checkpoint',
      tamper: () => withCheckpoint(original, rogueAuditKey, (fields) => ({ ...fields, treeSize: fields.treeSize + 1 })),
      trusting: 'withRogueAuditKey',
      names: () => "the checkpoint's origin, treeSize or rootHash differ from its signed body",
    },
    {
      name: 'an audit event removed from the pack',
      tamper: () =>
        resigned(original, (manifest) => {
          manifest.audit.events = events(manifest).filter((event) => event.record.action !== 'evidence.submitted' || event.record.subjectId !== firstItem().id);
        }),
      trusting: 'withHeldKey',
      names: () => `(evidence.decided of Evidence ${firstItem().id}) decides an item its records leave DRAFT, not SUBMITTED (a record is missing)`,
    },
    {
      name: 'a decision removed with its audit event',
      tamper: () =>
        resigned(original, (manifest) => {
          const [decision] = manifest.evidence[0].decisions;
          manifest.evidence[0].decisions = [];
          manifest.audit.events = events(manifest).filter((event) => (event.record.data as Record<string, unknown>).decisionId !== decision.id);
        }),
      trusting: 'withHeldKey',
      names: () => `evidence ${firstItem().id} "Access policy": its records leave it SUBMITTED, data/proofpack.json says APPROVED`,
    },
  ];

  it.each(cases)('catches $name', async ({ tamper, trusting = 'published', names }) => {
    const result = await verifyCli(tamper(), ['--keys', keyFiles[trusting]]);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/^FAILED: /);
    expect(result.out).toContain(names());
  });

  it('refuses a ZIP entry whose name climbs out of the bag', async () => {
    const files = withFile(original, 'data/xx/escape.pdf', Buffer.from('out'));
    const zip = (await zipOf(files)).toString('latin1').replaceAll('data/xx/escape.pdf', 'data/../escape.pdf');
    const result = await verifyCli(Buffer.from(zip, 'latin1'), ['--keys', keyFiles.published]);
    expect(result).toEqual({ code: 1, out: 'FAILED: the ZIP cannot be read: invalid relative path: data/../escape.pdf\n' });
  });
});
