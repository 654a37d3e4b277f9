import 'reflect-metadata';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { ROUTER_SECRET_HEADER, type Principal } from '@compliance-graph/auth';
import { createLogger } from '@compliance-graph/config';
import { createDataSource, withTenant } from '@compliance-graph/db';
import { startSubgraphServer, type RunningSubgraph } from '@compliance-graph/runtime';
import { admin, closeAdmin, migrateForTests, mintToken, principal, testDatabaseUrl, testTokenVerifier } from '@compliance-graph/testing';
import { EvidenceEntity } from '../src/evidence/evidence.entity';
import { EvidenceService } from '../src/evidence/evidence.service';
import { AccessReviewReportService } from '../src/access-review/access-review-report.service';
import { createEvidenceLoaders, type EvidenceLoaders } from '../src/loaders';
import { evidenceMigrations } from '../src/migrations';
import { buildEvidenceSchema } from '../src/schema';
import { EVIDENCE_SCHEMA } from '../src/service';
import { FsBlobStore } from '../src/storage/fs-blob-store';
import { SPOOL_PREFIX } from '../src/storage/spool';
import { collectExpiredUploads } from '../src/upload/upload-collector';
import { UploadEntity } from '../src/upload/upload.entity';
import { UPLOADS_PATH, mountUploads } from '../src/upload/upload.route';
import { UploadService, claimUpload } from '../src/upload/upload.service';

const ROUTER_SECRET = 'uploads-test-router-secret-0123456789';
const MAX_BYTES = 64 * 1024;

const sha256Of = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const encodedName = (name: string) => encodeURIComponent(name);

interface Answer {
  status: number;
  body: any;
}

interface UploadRequest {
  headers?: Record<string, string | undefined>;
  /** Written one by one; without `declaredLength` the body is chunked. */
  chunks?: Buffer[];
  declaredLength?: number;
  token?: string | null;
  routerSecret?: string | null;
}

/**
 * The evidence subgraph's upload route over real HTTP, on the evidence app role (row-level
 * security applies), with files in a temporary directory.
 */
describe('POST /evidence/uploads', () => {
  const tenantA = randomUUID();
  const tenantB = randomUUID();
  const uploaderA = principal(tenantA, 'MEMBER');
  const blobRoot = mkdtempSync(join(tmpdir(), 'cg-upload-blobs-'));
  const blobs = new FsBlobStore(blobRoot);
  let appDb: DataSource;
  let workerDb: DataSource;
  let server: RunningSubgraph<EvidenceLoaders>;

  beforeAll(async () => {
    await migrateForTests({ schema: EVIDENCE_SCHEMA, migrations: evidenceMigrations });
    appDb = createDataSource({ databaseUrl: testDatabaseUrl(), schema: EVIDENCE_SCHEMA, role: 'app', entities: [EvidenceEntity, UploadEntity], poolSize: 4 });
    workerDb = createDataSource({ databaseUrl: testDatabaseUrl(), schema: EVIDENCE_SCHEMA, role: 'worker', poolSize: 2 });
    await Promise.all([appDb.initialize(), workerDb.initialize()]);
    const logger = createLogger('evidence', 'error');
    const verifyAccessToken = await testTokenVerifier();
    const evidence = new EvidenceService(appDb);
    const uploads = new UploadService(appDb, blobs, MAX_BYTES);
    server = await startSubgraphServer({
      service: 'evidence',
      schema: await buildEvidenceSchema(),
      host: '127.0.0.1',
      port: 0,
      routerSecret: ROUTER_SECRET,
      verifyAccessToken,
      logger,
      production: false,
      checkReadiness: async () => undefined,
      createLoaders: (p) => createEvidenceLoaders(evidence, new AccessReviewReportService(appDb, blobs), p),
      routes: (app) => mountUploads(app, { routerSecret: ROUTER_SECRET, verifyAccessToken, uploads, logger }),
    });
  });
  afterAll(async () => {
    await server.stop();
    await Promise.all([appDb.destroy(), workerDb.destroy()]);
    await closeAdmin();
    await rm(blobRoot, { recursive: true, force: true });
  });

  async function upload(who: Principal, options: UploadRequest = {}): Promise<Answer> {
    const token = options.token === undefined ? await mintToken(who) : options.token;
    const routerSecret = options.routerSecret === undefined ? ROUTER_SECRET : options.routerSecret;
    const chunks = options.chunks ?? [Buffer.from('board minutes')];
    const headers: Record<string, string> = {};
    const given = { 'content-type': 'application/pdf', 'x-file-name': 'minutes.pdf', ...options.headers };
    for (const [name, value] of Object.entries(given)) if (value !== undefined) headers[name] = value;
    if (token) headers.authorization = `Bearer ${token}`;
    if (routerSecret) headers[ROUTER_SECRET_HEADER] = routerSecret;
    if (options.declaredLength !== undefined) headers['content-length'] = String(options.declaredLength);
    const url = new URL(`${server.url}${UPLOADS_PATH}`);
    return new Promise((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
      });
      // The server may answer (413, 400) and close before the whole body is written.
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
      });
      (async () => {
        for (const chunk of chunks) if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
        if (options.declaredLength === undefined || options.declaredLength === chunks.reduce((n, c) => n + c.length, 0)) req.end();
      })().catch(() => undefined);
    });
  }

  const uploadRows = async (tenantId: string) =>
    (await admin().query(`SELECT * FROM evidence.uploads WHERE tenant_id = $1 ORDER BY created_at`, [tenantId])).rows;
  const blobPath = (sha256: string) => join(blobRoot, sha256.slice(0, 2), sha256);
  const stagedLeft = () => readdirSync(blobRoot).filter((name) => name.startsWith(SPOOL_PREFIX));

  describe('accepted', () => {
    it('stores the file by its SHA-256 and the upload in the caller tenant', async () => {
      const content = randomBytes(40_000);
      const answer = await upload(uploaderA, { chunks: [content], declaredLength: content.length, headers: { 'x-file-name': encodedName('Prüfbericht – 2026.pdf') } });
      expect(answer.status).toBe(201);
      expect(answer.body).toEqual({ uploadId: expect.any(String), sha256: sha256Of(content), sizeBytes: content.length });
      expect(existsSync(blobPath(sha256Of(content)))).toBe(true);
      const [row] = (await admin().query(`SELECT * FROM evidence.uploads WHERE id = $1`, [answer.body.uploadId])).rows;
      expect(row).toMatchObject({
        tenant_id: tenantA,
        uploaded_by: uploaderA.subjectId,
        sha256: sha256Of(content),
        size_bytes: String(content.length),
        content_type: 'application/pdf',
        file_name: 'Prüfbericht – 2026.pdf',
        claimed_at: null,
      });
      expect(stagedLeft()).toEqual([]);
    });

    it('takes a chunked body without Content-Length', async () => {
      const chunks = [randomBytes(10_000), randomBytes(20_000), randomBytes(5)];
      const answer = await upload(uploaderA, { chunks });
      expect(answer.status).toBe(201);
      expect(answer.body).toMatchObject({ sha256: sha256Of(Buffer.concat(chunks)), sizeBytes: 30_005 });
    });

    it('takes exactly the limit, and an API key of role MEMBER', async () => {
      const content = randomBytes(MAX_BYTES);
      const answer = await upload(principal(tenantA, 'MEMBER', { kind: 'API_KEY' }), { chunks: [content], declaredLength: MAX_BYTES });
      expect(answer.status).toBe(201);
    });

    it.each(['OWNER', 'ADMIN', 'COMPLIANCE_MANAGER'] as const)('takes a file from a %s', async (role) => {
      expect((await upload(principal(tenantA, role))).status).toBe(201);
    });

    it.each([
      ['plain ASCII with spaces', 'report (final) v2.pdf', 'report (final) v2.pdf'],
      ['percent-encoded UTF-8', encodedName('Prüfbericht – 2026.pdf'), 'Prüfbericht – 2026.pdf'],
      ['an encoded percent sign', '100%25 done.txt', '100% done.txt'],
      ['255 bytes of UTF-8', encodedName(`${'ü'.repeat(127)}x`), `${'ü'.repeat(127)}x`],
      ['a name of dots that is no path segment', '...', '...'],
    ])('keeps %s as the file name', async (_case, header, stored) => {
      const answer = await upload(uploaderA, { headers: { 'x-file-name': header } });
      expect(answer.status).toBe(201);
      const [row] = (await admin().query(`SELECT file_name FROM evidence.uploads WHERE id = $1`, [answer.body.uploadId])).rows;
      expect(row.file_name).toBe(stored);
    });
  });

  describe('refused, leaving nothing behind', () => {
    const tenantC = randomUUID();
    const uploaderC = principal(tenantC, 'MEMBER');
    afterEach(async () => {
      expect(await uploadRows(tenantC)).toEqual([]);
      expect(stagedLeft()).toEqual([]);
    });

    it('an empty body', async () => {
      const answer = await upload(uploaderC, { chunks: [], declaredLength: 0 });
      expect(answer).toEqual({ status: 400, body: { error: { code: 'BAD_USER_INPUT', message: 'The content is empty' } } });
      expect((await upload(uploaderC, { chunks: [] })).status).toBe(400);
      expect(existsSync(blobPath(sha256Of(Buffer.alloc(0))))).toBe(false);
    });

    it('a declared Content-Length over the limit, before reading the body', async () => {
      const answer = await upload(uploaderC, { chunks: [Buffer.from('a start')], declaredLength: MAX_BYTES + 1 });
      expect(answer).toEqual({ status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE', message: 'Request body too large' } } });
    });

    it('a chunked body that streams past the limit', async () => {
      const content = randomBytes(MAX_BYTES + 1);
      const answer = await upload(uploaderC, { chunks: [content.subarray(0, 40_000), content.subarray(40_000)] });
      expect(answer.status).toBe(413);
      expect(answer.body.error.code).toBe('PAYLOAD_TOO_LARGE');
      expect(existsSync(blobPath(sha256Of(content)))).toBe(false);
    });

    it('a client that disconnects midway', async () => {
      const url = new URL(`${server.url}${UPLOADS_PATH}`);
      const headers = { authorization: `Bearer ${await mintToken(uploaderC)}`, [ROUTER_SECRET_HEADER]: ROUTER_SECRET, 'content-type': 'application/pdf', 'x-file-name': 'cut.pdf' };
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers });
      req.on('error', () => undefined);
      req.write(randomBytes(20_000));
      await new Promise((r) => setTimeout(r, 200));
      expect(stagedLeft()).toHaveLength(1);
      req.destroy();
      for (const deadline = Date.now() + 5000; stagedLeft().length > 0 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));
    });

    it('a missing or malformed Content-Type', async () => {
      for (const contentType of [undefined, '', 'pdf', 'application/pdf\u00e9']) {
        const answer = await upload(uploaderC, { headers: { 'content-type': contentType } });
        expect([contentType, answer.status, answer.body.error.code]).toEqual([contentType, 400, 'BAD_USER_INPUT']);
      }
    });

    it.each([
      ['missing', undefined],
      ['empty', ''],
      ['a slash', 'a/b'],
      ['an encoded slash', 'a%2Fb'],
      ['a backslash', 'a\\b'],
      ['a parent path', '../x'],
      ['an encoded parent path', '..%2Fx'],
      ['a dot', '.'],
      ['two dots', '..'],
      ['an encoded NUL byte', 'a%00b'],
      ['an escape character', 'a%1Bb'],
      ['DEL', 'a%7Fb'],
      ['a C1 control (NEL)', 'a%C2%85b'],
      ['256 bytes', 'a'.repeat(256)],
      ['256 bytes of encoded UTF-8', encodedName('ü'.repeat(128))],
      ['a malformed escape', 'a%zzb'],
      ['percent-encoding that is not UTF-8', 'a%E4b'],
      ['a raw latin1 byte', 'Pr\u00fcfbericht.pdf'],
    ])('a file name with %s', async (_case, fileName) => {
      const answer = await upload(uploaderC, { headers: { 'x-file-name': fileName } });
      expect(answer.status).toBe(400);
      expect(answer.body.error).toEqual({ code: 'BAD_USER_INPUT', message: expect.stringContaining('X-File-Name') });
    });

    it.each([
      ['an AUDITOR', principal(tenantC, 'AUDITOR'), 403, 'FORBIDDEN'],
      ['a PARTNER API key', principal(tenantC, 'PARTNER', { kind: 'API_KEY' }), 403, 'FORBIDDEN'],
      ['an AUDITOR API key', principal(tenantC, 'AUDITOR', { kind: 'API_KEY' }), 403, 'FORBIDDEN'],
      ['a support session', principal(tenantC, 'AUDITOR', { kind: 'SUPPORT', mfa: true }), 403, 'FORBIDDEN'],
      ['a support session, whatever role it names', principal(tenantC, 'OWNER', { kind: 'SUPPORT', mfa: true }), 403, 'FORBIDDEN'],
      ['an enrolment-only token', principal(tenantC, 'MEMBER', { scope: 'mfa_enrolment' }), 403, 'MFA_REQUIRED'],
    ])('%s', async (_case, who, status, code) => {
      const answer = await upload(who);
      expect([answer.status, answer.body.error.code]).toEqual([status, code]);
    });

    it('a caller without a token, or with a bad one', async () => {
      expect((await upload(uploaderC, { token: null })).body.error.code).toBe('UNAUTHENTICATED');
      expect((await upload(uploaderC, { token: 'not-a-jwt' })).status).toBe(401);
    });

    it('a request that did not come through the gateway', async () => {
      for (const routerSecret of [null, 'a-wrong-router-secret-0123456789abcdef']) {
        const answer = await upload(uploaderC, { routerSecret });
        expect([answer.status, answer.body.error.code]).toEqual([403, 'FORBIDDEN']);
      }
    });
  });

  describe('claimUpload', () => {
    const claim = (who: Principal, uploadId: string) => withTenant(appDb, who, (tx) => claimUpload(tx, who, uploadId));

    it('is the uploader alone, once, and never from another tenant', async () => {
      const { body } = await upload(uploaderA);
      // The same user id in another tenant (a member of both): row-level security hides the upload.
      // Another tenant's upload reads as absent; another uploader's is not theirs to use; a used one is a conflict (contract).
      await expect(claim({ ...uploaderA, tenantId: tenantB }, body.uploadId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(claim(principal(tenantB, 'OWNER'), body.uploadId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(claim(principal(tenantA, 'OWNER'), body.uploadId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(claim(uploaderA, 'not-a-uuid')).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
      await expect(claim(uploaderA, body.uploadId)).resolves.toMatchObject({ id: body.uploadId, claimedAt: expect.any(Date) });
      await expect(claim(uploaderA, body.uploadId)).rejects.toMatchObject({ code: 'CONFLICT' });
    });
  });

  describe('the collector', () => {
    const RETENTION_HOURS = 24;
    const age = (uploadId: string, hours: number) =>
      admin().query(`UPDATE evidence.uploads SET created_at = now() - make_interval(hours => $2) WHERE id = $1`, [uploadId, hours]);
    const rowExists = async (uploadId: string) => (await admin().query(`SELECT 1 FROM evidence.uploads WHERE id = $1`, [uploadId])).rowCount === 1;
    const uploadOf = async (who: Principal, content: Buffer) => (await upload(who, { chunks: [content] })).body as { uploadId: string; sha256: string };

    /** A revision of a new evidence item claiming the upload, written as the evidence domain would. */
    async function claimForRevision(who: Principal, uploadId: string) {
      const evidenceId = randomUUID();
      await admin().query(
        `INSERT INTO evidence.evidence (id, tenant_id, title, source_kind, source_ref, collected_at, created_by)
         VALUES ($1, $2, 'Board minutes', 'MANUAL', 'note', now(), $3)`,
        [evidenceId, who.tenantId, who.subjectId],
      );
      await admin().query(`UPDATE evidence.uploads SET claimed_at = now() WHERE id = $1`, [uploadId]);
      await admin().query(
        `INSERT INTO evidence.revisions (id, tenant_id, evidence_id, version, upload_id, sha256, size_bytes, content_type, file_name, uploaded_at, uploaded_by)
         SELECT $1, tenant_id, $2, 1, id, sha256, size_bytes, content_type, file_name, created_at, uploaded_by FROM evidence.uploads WHERE id = $3`,
        [randomUUID(), evidenceId, uploadId],
      );
    }

    it('removes an unclaimed upload past the retention with its blob, and keeps a recent or claimed one', async () => {
      const expired = await uploadOf(uploaderA, randomBytes(1000));
      const recent = await uploadOf(uploaderA, randomBytes(1000));
      const claimed = await uploadOf(uploaderA, randomBytes(1000));
      await claimForRevision(uploaderA, claimed.uploadId);
      await age(expired.uploadId, RETENTION_HOURS + 1);
      await age(recent.uploadId, RETENTION_HOURS - 1);
      await age(claimed.uploadId, RETENTION_HOURS * 10);

      const collected = await collectExpiredUploads(workerDb, blobs, RETENTION_HOURS);

      expect(collected.uploads).toBeGreaterThanOrEqual(1);
      expect(await rowExists(expired.uploadId)).toBe(false);
      expect(existsSync(blobPath(expired.sha256))).toBe(false);
      for (const kept of [recent, claimed]) {
        expect(await rowExists(kept.uploadId)).toBe(true);
        expect(existsSync(blobPath(kept.sha256))).toBe(true);
      }
    });

    it('keeps a blob another tenant uploaded too', async () => {
      const content = randomBytes(1000);
      const ofA = await uploadOf(uploaderA, content);
      const ofB = await uploadOf(principal(tenantB, 'MEMBER'), content);
      expect(ofB.sha256).toBe(ofA.sha256);
      await age(ofA.uploadId, RETENTION_HOURS + 1);

      await collectExpiredUploads(workerDb, blobs, RETENTION_HOURS);

      expect(await rowExists(ofA.uploadId)).toBe(false);
      expect(await rowExists(ofB.uploadId)).toBe(true);
      expect(existsSync(blobPath(ofA.sha256))).toBe(true);
    });

    it('waits for an upload of the same content that holds the hash lock, then keeps its blob', async () => {
      const content = randomBytes(1000);
      const expired = await uploadOf(uploaderA, content);
      await age(expired.uploadId, RETENTION_HOURS + 1);
      // An upload of the same content in tenant B, between its lock and its commit.
      const racing = await admin().connect();
      try {
        await racing.query('BEGIN');
        await racing.query(`SELECT pg_advisory_xact_lock(hashtext('upload-blob:' || $1))`, [expired.sha256]);
        const collecting = collectExpiredUploads(workerDb, blobs, RETENTION_HOURS);
        await new Promise((r) => setTimeout(r, 300));
        await racing.query(
          `INSERT INTO evidence.uploads (id, tenant_id, uploaded_by, sha256, size_bytes, content_type, file_name)
           VALUES ($1, $2, $3, $4, 1000, 'application/pdf', 'same.pdf')`,
          [randomUUID(), tenantB, randomUUID(), expired.sha256],
        );
        await racing.query('COMMIT');
        await collecting;
      } finally {
        racing.release();
      }
      expect(await rowExists(expired.uploadId)).toBe(false);
      expect(existsSync(blobPath(expired.sha256))).toBe(true);
    });
  });
});
