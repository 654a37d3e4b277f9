import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';
import { admin, closeAdmin } from '@compliance-graph/testing';
import { leafHashOf, verifyInclusion, type ExportRecord } from '@compliance-graph/audit-log';
import { BAG, parseManifest, proofpackManifestSchema } from '@compliance-graph/proofpack';
import { joinTenant, signUp, type AuthPayload } from './accounts';
import { codeOf, graphqlClient } from './graphql-client';
import { ok, proofpackSteps, unzip } from './proofpacks';
import { startStack, type Stack } from './stack';

const sha256Of = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Proofpacks through the gateway: assembled from approved evidence, sealed once with the audit log's proofs, downloaded byte-identical. */
describe('evidence: proofpacks', () => {
  let stack: Stack;
  let gql: ReturnType<typeof graphqlClient>;
  let owner: AuthPayload;
  let member: AuthPayload;
  let auditor: AuthPayload;

  const { approvedItem, createPack, seal, download } = proofpackSteps(() => ({ gatewayUrl: stack.gatewayUrl, gql, owner, member }));

  beforeAll(async () => {
    // Sealing waits this long for the audit log: the lag test below stops the audit service.
    stack = await startStack({ PROOFPACK_AUDIT_WAIT_MS: '1500' });
    gql = graphqlClient(stack.gatewayUrl);
    owner = await signUp(gql, 'Packers');
    [member, auditor] = await Promise.all(['MEMBER', 'AUDITOR'].map((role) => joinTenant(gql, owner.accessToken, role)));
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
    await closeAdmin();
  });

  it('seals approved evidence into a signed BagIt ZIP with every audit record proven, and serves the same bytes each time', async () => {
    const policy = randomBytes(3000);
    const review = randomBytes(5000);
    const ids = [await approvedItem('Access policy', policy, ['ISO27001:A.5.15', 'SOC2:CC6.1']), await approvedItem('Access review', review, ['SOC2:CC6.1'])];
    const created = ok(await createPack(owner.accessToken, ids)).createProofpack;
    expect(created).toMatchObject({ status: 'OPEN', evidence: ids.map((id) => ({ id })), sealedAt: null, downloadPath: null, manifestSha256: null });

    const sealed = ok(await seal(owner.accessToken, created.id)).sealProofpack;
    expect(sealed).toMatchObject({ status: 'SEALED', sealedBy: { id: owner.user.id, displayName: 'Packers person' }, downloadPath: `/evidence/proofpacks/${created.id}/download` });
    const keys = ok(await gql('{ proofpackSigningKeys { keyId algorithm publicKeyJwk } }', {}, auditor.accessToken)).proofpackSigningKeys;
    expect(keys[0]).toMatchObject({ keyId: sealed.keyId, algorithm: 'Ed25519' });

    const first = await download(auditor.accessToken, sealed.downloadPath);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('application/zip');
    const zip = Buffer.from(await first.arrayBuffer());
    expect(first.headers.get('etag')).toBe(`"${sha256Of(zip)}"`);
    const again = Buffer.from(await (await download(owner.accessToken, sealed.downloadPath)).arrayBuffer());
    expect(again.equals(zip)).toBe(true);

    const files = await unzip(zip);
    const manifestBytes = files.get(BAG.proofpack)!;
    expect(sha256Of(manifestBytes)).toBe(sealed.manifestSha256);
    const publicKey = createPublicKey({ key: keys[0].publicKeyJwk, format: 'jwk' });
    expect(verify(null, manifestBytes, publicKey, Buffer.from(files.get(BAG.signature)!.toString().trim(), 'base64'))).toBe(true);
    expect(files.get(BAG.signature)!.toString().trim()).toBe(sealed.signature);

    const manifest = proofpackManifestSchema.parse(JSON.parse(manifestBytes.toString()));
    expect(manifest.evidence.map((e) => e.id)).toEqual(ids);
    expect(files.get(manifest.evidence[0].revisions[0].path)!.equals(policy)).toBe(true);
    expect(files.get(manifest.evidence[1].revisions[0].path)!.equals(review)).toBe(true);
    expect(manifest.coverage).toEqual([
      { controlRef: 'ISO27001:A.5.15', evidenceIds: [ids[0]] },
      { controlRef: 'SOC2:CC6.1', evidenceIds: ids },
    ]);
    expect(files.get(BAG.coverage)!.toString()).toContain('SOC2:CC6.1');

    // Every payload file is in the manifest with its hash, and the tag files in the tag manifest.
    const payload = parseManifest(files.get(BAG.manifest)!.toString());
    expect([...payload.keys()].sort()).toEqual([...files.keys()].filter((name) => name.startsWith('data/')).sort());
    for (const [path, hash] of payload) expect(sha256Of(files.get(path)!)).toBe(hash);
    const tags = parseManifest(files.get(BAG.tagManifest)!.toString());
    expect([...tags.keys()].sort()).toEqual([BAG.info, BAG.declaration, BAG.manifest].sort());
    for (const [path, hash] of tags) expect(sha256Of(files.get(path)!)).toBe(hash);
    const oxum = files.get(BAG.info)!.toString().match(/Payload-Oxum: (\d+)\.(\d+)/)!;
    expect(Number(oxum[2])).toBe(payload.size);
    expect(Number(oxum[1])).toBe([...payload.keys()].reduce((sum, path) => sum + files.get(path)!.length, 0));

    // The audit section: every record of the pack and its items, each proven against the one checkpoint.
    const { checkpoint, events } = manifest.audit;
    const actions = events.map((e) => e.record.action);
    expect(actions.filter((a) => a === 'evidence.revision_added')).toHaveLength(2);
    expect(actions.filter((a) => a === 'evidence.decided')).toHaveLength(2);
    expect(actions).toContain('proofpack.created');
    for (const event of events) {
      const record = event.record as unknown as ExportRecord;
      expect(leafHashOf(record).toString('hex')).toBe(record.leafHash);
      expect(verifyInclusion(leafHashOf(record), event.leafIndex, checkpoint.treeSize, event.auditPath.map((h) => Buffer.from(h, 'hex')), Buffer.from(checkpoint.rootHash, 'hex'))).toBe(true);
    }
    const keysFile = JSON.parse(files.get(BAG.keys)!.toString());
    expect(keysFile.keys.map((k: { kid: string }) => k.kid)).toEqual([sealed.keyId, checkpoint.keyId]);

    // The download is in the log, with who and which bytes.
    for (const deadline = Date.now() + 10_000; ; await new Promise((r) => setTimeout(r, 200))) {
      const trail = ok(await gql(`query { auditEvents(filter: { action: "proofpack." }, first: 50) { nodes { action subjectId actorId data } } }`, {}, owner.accessToken)).auditEvents.nodes;
      const downloads = trail.filter((e: any) => e.action === 'proofpack.downloaded' && e.subjectId === created.id);
      if (downloads.length >= 2 || Date.now() > deadline) {
        expect(downloads.map((e: any) => e.actorId).sort()).toEqual([auditor.user.id, owner.user.id].sort());
        expect(downloads[0].data.packageSha256).toBe(sha256Of(zip));
        expect(trail.some((e: any) => e.action === 'proofpack.sealed' && e.subjectId === created.id)).toBe(true);
        break;
      }
    }
  });

  it('seals only APPROVED evidence, once, and only for OWNER, ADMIN or COMPLIANCE_MANAGER', async () => {
    const approved = await approvedItem('Backup test', randomBytes(100), ['SOC2:A1.2']);
    const draft = ok(
      await gql(
        `mutation ($input: CreateEvidenceInput!) { createEvidence(input: $input) { id } }`,
        { input: { title: 'Unreviewed note', controlRefs: [], sourceKind: 'MANUAL', sourceRef: 'note', collectedAt: '2026-10-01T00:00:00.000Z' } },
        member.accessToken,
      ),
    ).createEvidence.id;
    expect(codeOf(await createPack(member.accessToken, [approved]))).toBe('FORBIDDEN');
    const pack = ok(await createPack(owner.accessToken, [approved, draft])).createProofpack;
    const refused = await seal(owner.accessToken, pack.id);
    expect(codeOf(refused)).toBe('CONFLICT');
    expect(refused.errors![0].message).toContain('Unreviewed note');
    expect(codeOf(await seal(auditor.accessToken, pack.id))).toBe('FORBIDDEN');
    const { rows } = await admin().query(`SELECT status FROM evidence.proofpacks WHERE id = $1`, [pack.id]);
    expect(rows[0].status).toBe('OPEN');
    expect((await download(owner.accessToken, `/evidence/proofpacks/${pack.id}/download`)).status).toBe(409);

    const ready = ok(await createPack(owner.accessToken, [approved])).createProofpack;
    ok(await seal(owner.accessToken, ready.id));
    expect(codeOf(await seal(owner.accessToken, ready.id))).toBe('CONFLICT');
  });

  it('refuses unknown or foreign evidence, and keeps packs and downloads from another tenant', async () => {
    const id = await approvedItem('Vendor review', randomBytes(100), ['ISO27001:A.5.19']);
    const other = await signUp(gql, 'Snoop');
    expect(codeOf(await createPack(other.accessToken, [id]))).toBe('NOT_FOUND');
    expect(codeOf(await createPack(owner.accessToken, ['00000000-0000-4000-8000-000000000000']))).toBe('NOT_FOUND');
    expect(codeOf(await createPack(owner.accessToken, []))).toBe('BAD_USER_INPUT');
    const pack = ok(await createPack(owner.accessToken, [id])).createProofpack;
    const sealed = ok(await seal(owner.accessToken, pack.id)).sealProofpack;
    expect(ok(await gql('query ($id: ID!) { proofpack(id: $id) { id } }', { id: pack.id }, other.accessToken)).proofpack).toBeNull();
    expect(ok(await gql('{ proofpacks { id } }', {}, other.accessToken)).proofpacks).toEqual([]);
    expect(codeOf(await seal(other.accessToken, pack.id))).toBe('NOT_FOUND');
    const foreign = await download(other.accessToken, sealed.downloadPath);
    expect(foreign.status).toBe(404);
    expect(await foreign.json()).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) } });
  });

  it('waits for the audit log to catch up, bounded, and refuses to seal while it lags', async () => {
    const id = await approvedItem('Incident drill', randomBytes(100), ['ISO27001:A.5.24']);
    await stack.stopAudit();
    let packId: string;
    try {
      // Created while the audit service is down: its proofpack.created cannot have been appended.
      packId = ok(await createPack(owner.accessToken, [id])).createProofpack.id;
      const lagging = await seal(owner.accessToken, packId);
      expect(codeOf(lagging)).toBe('CONFLICT');
      expect(lagging.errors![0].message).toContain('audit log');
      const { rows } = await admin().query(`SELECT status FROM evidence.proofpacks WHERE id = $1`, [packId]);
      expect(rows[0].status).toBe('OPEN');
    } finally {
      await stack.startAudit();
    }
    // The relay retries with backoff once the audit service is back; a client seals again in a moment.
    let answer = await seal(owner.accessToken, packId);
    for (const deadline = Date.now() + 30_000; codeOf(answer) === 'CONFLICT' && Date.now() < deadline; answer = await seal(owner.accessToken, packId)) {
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(ok(answer).sealProofpack.status).toBe('SEALED');
  }, 60_000);
});
