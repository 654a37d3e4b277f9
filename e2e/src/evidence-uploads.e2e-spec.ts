import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addMember, admin, bearer, closeAdmin, signIn } from '@compliance-graph/testing';
import { signUp, type AuthPayload } from './accounts';
import { graphqlClient } from './graphql-client';
import { startStack, type Stack } from './stack';

const MAX_UPLOAD_BYTES = 64 * 1024;
const sha256Of = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Uploads through the gateway, as a client sends them: the gateway proxies the body to evidence, which stores it. */
describe('evidence uploads through the gateway', () => {
  const blobDir = mkdtempSync(join(tmpdir(), 'cg-e2e-uploads-'));
  let stack: Stack;
  let owner: AuthPayload;

  beforeAll(async () => {
    // One limit for the gateway and evidence, as a deployment sets it.
    stack = await startStack({ MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES), EVIDENCE_BLOB_DIR: blobDir });
    owner = await signUp(graphqlClient(stack.gatewayUrl));
  });
  afterAll(async () => {
    await stack.stop();
    await closeAdmin();
  });

  const upload = (body: Buffer | ReadableStream<Uint8Array>, headers: Record<string, string>, token: string | null = owner.accessToken) =>
    fetch(`${stack.gatewayUrl}/evidence/uploads`, {
      method: 'POST',
      headers: { 'content-type': 'application/pdf', 'x-file-name': 'minutes.pdf', ...(token ? bearer(token) : {}), ...headers },
      body,
      duplex: 'half',
    } as RequestInit);
  /** A body of unknown length: fetch sends it chunked. */
  const streamed = (chunks: Buffer[]) =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(chunk);
        controller.close();
      },
    });

  it('stores the file and answers its id, hash and size', async () => {
    const content = randomBytes(30_000);
    const answer = await upload(content, { 'x-file-name': encodeURIComponent('Prüfbericht – 2026.pdf') });
    expect(answer.status).toBe(201);
    const body = (await answer.json()) as { sha256: string; uploadId: string };
    expect(body).toEqual({ uploadId: expect.any(String), sha256: sha256Of(content), sizeBytes: content.length });
    expect(existsSync(join(blobDir, body.sha256.slice(0, 2), body.sha256))).toBe(true);
    const { rows } = await admin().query(`SELECT tenant_id, uploaded_by, file_name FROM evidence.uploads WHERE id = $1`, [body.uploadId]);
    expect(rows).toEqual([{ tenant_id: owner.tenant.id, uploaded_by: owner.user.id, file_name: 'Prüfbericht – 2026.pdf' }]);
  });

  it('takes a chunked body', async () => {
    const chunks = [randomBytes(20_000), randomBytes(20_000)];
    const answer = await upload(streamed(chunks), {});
    expect(answer.status).toBe(201);
    expect(await answer.json()).toMatchObject({ sha256: sha256Of(Buffer.concat(chunks)), sizeBytes: 40_000 });
  });

  it('refuses a body over the limit, declared or streamed, and stores nothing', async () => {
    const content = randomBytes(MAX_UPLOAD_BYTES + 1);
    const declared = await upload(content, {});
    expect(declared.status).toBe(413);
    const chunked = await upload(streamed([content.subarray(0, 30_000), content.subarray(30_000)]), {});
    expect(chunked.status).toBe(413);
    expect(await chunked.json()).toEqual({ error: { code: 'PAYLOAD_TOO_LARGE', message: expect.any(String) } });
    expect(existsSync(join(blobDir, sha256Of(content).slice(0, 2), sha256Of(content)))).toBe(false);
  });

  it('refuses an unsafe file name, an AUDITOR and a caller without a token', async () => {
    const named = await upload(Buffer.from('x'), { 'x-file-name': '..%2Fx' });
    expect([named.status, ((await named.json()) as { error: { code: string } }).error.code]).toEqual([400, 'BAD_USER_INPUT']);
    const auditor = await signIn(owner.tenant.id, await addMember(owner.tenant.id, 'AUDITOR'));
    expect((await upload(Buffer.from('x'), {}, auditor.token)).status).toBe(403);
    expect((await upload(Buffer.from('x'), {}, null)).status).toBe(401);
    const { rows } = await admin().query(`SELECT count(*)::int AS n FROM evidence.uploads WHERE tenant_id = $1`, [owner.tenant.id]);
    expect(rows[0].n).toBe(2);
  });
});
