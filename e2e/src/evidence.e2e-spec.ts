import { createHash, randomBytes } from 'node:crypto';
import { admin, closeAdmin } from '@compliance-graph/testing';
import { joinTenant, signUp, type AuthPayload } from './accounts';
import { codeOf, graphqlClient } from './graphql-client';
import { startStack, type Stack } from './stack';
import { uploadFile } from './uploads';

const ITEM = `id title description controlRefs sourceKind sourceRef collectedAt validUntil status expired createdAt
  createdBy { id displayName } currentRevision { version } revisions { version } decisions { decision rationale decidedAt decidedBy { id displayName } }`;
const CREATE = `mutation ($input: CreateEvidenceInput!) { createEvidence(input: $input) { ${ITEM} } }`;
const SUBMIT = `mutation ($id: ID!) { submitEvidence(id: $id) { id status } }`;
const DECIDE = `mutation ($id: ID!, $d: EvidenceDecisionKind!, $r: String!) { decideEvidence(id: $id, decision: $d, rationale: $r) { ${ITEM} } }`;
const LIST = `query ($filter: EvidenceFilter, $first: Int, $after: String) {
  evidenceList(filter: $filter, first: $first, after: $after) { totalCount pageInfo { endCursor hasNextPage } nodes { id title status expired } } }`;
const TRAIL = `query ($id: ID!) { evidence(id: $id) { auditTrail(first: 50) { nodes { action actorKind actorId reason data } } } }`;
const REVISE = `mutation ($id: ID!, $upload: ID!) { addEvidenceRevision(evidenceId: $id, uploadId: $upload) {
  status currentRevision { version sha256 } revisions { id version sha256 sizeBytes contentType fileName uploadedAt uploadedBy { id displayName } } decisions { decision } } }`;

/** Evidence items through the gateway: provenance, submission, decisions under segregation of duties, and their audit trail. */
describe('evidence: items and decisions', () => {
  let stack: Stack;
  let gql: ReturnType<typeof graphqlClient>;
  let owner: AuthPayload;
  let manager: AuthPayload;
  let member: AuthPayload;
  let auditor: AuthPayload;

  const input = (overrides: Record<string, unknown> = {}) => ({
    title: 'Access review Q3',
    description: 'Quarterly review of production access',
    controlRefs: ['ISO27001:A.5.15', 'SOC2:CC6.1'],
    sourceKind: 'MANUAL',
    sourceRef: 'Signed minutes, meeting 2026-09-30',
    collectedAt: '2026-09-30T12:00:00.000Z',
    ...overrides,
  });
  const ok = <T>(body: { data?: T; errors?: unknown }) => {
    expect(body.errors).toBeUndefined();
    return body.data as any;
  };
  const create = async (token: string, overrides: Record<string, unknown> = {}) => ok(await gql(CREATE, { input: input(overrides) }, token)).createEvidence;
  const count = async (tenantId: string) =>
    (await admin().query(`SELECT count(*)::int AS n FROM evidence.evidence WHERE tenant_id = $1`, [tenantId])).rows[0].n as number;
  const trailOf = async (id: string, token: string, actions: number) => {
    for (const deadline = Date.now() + 10_000; ; await new Promise((r) => setTimeout(r, 200))) {
      const nodes = ok(await gql(TRAIL, { id }, token)).evidence.auditTrail.nodes;
      if (nodes.length >= actions || Date.now() > deadline) return nodes;
    }
  };

  const upload = (token: string, content: Buffer, fileName?: string) => uploadFile(stack.gatewayUrl, token, content, fileName);
  const sha256Of = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

  beforeAll(async () => {
    stack = await startStack();
    gql = graphqlClient(stack.gatewayUrl);
    owner = await signUp(gql, 'Evidentia');
    [manager, member, auditor] = await Promise.all(['COMPLIANCE_MANAGER', 'MEMBER', 'AUDITOR'].map((role) => joinTenant(gql, owner.accessToken, role)));
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
    await closeAdmin();
  });

  it('creates a DRAFT item with its provenance, its creator resolved through identity', async () => {
    const item = await create(member.accessToken, { validUntil: '2027-09-30T00:00:00.000Z' });
    expect(item).toEqual({
      id: expect.any(String),
      title: 'Access review Q3',
      description: 'Quarterly review of production access',
      controlRefs: ['ISO27001:A.5.15', 'SOC2:CC6.1'],
      sourceKind: 'MANUAL',
      sourceRef: 'Signed minutes, meeting 2026-09-30',
      collectedAt: '2026-09-30T12:00:00.000Z',
      validUntil: '2027-09-30T00:00:00.000Z',
      status: 'DRAFT',
      expired: false,
      createdAt: expect.any(String),
      createdBy: { id: member.user.id, displayName: 'MEMBER person' },
      currentRevision: null,
      revisions: [],
      decisions: [],
    });
    expect(Date.parse(item.createdAt)).toBeGreaterThan(Date.parse(item.collectedAt));
  });

  it.each([
    ['a URL source that is not an absolute http(s) URL', { sourceKind: 'URL', sourceRef: 'javascript:alert(1)' }, 'sourceRef'],
    ['an UPLOAD source without an upload', { sourceKind: 'UPLOAD', sourceRef: 'policy.pdf' }, 'uploadId'],
    ['an upload nobody made', { sourceKind: 'UPLOAD', sourceRef: 'policy.pdf', uploadId: '00000000-0000-4000-8000-000000000000' }, 'upload'],
    ['validUntil before collectedAt', { validUntil: '2026-01-01T00:00:00.000Z' }, 'validUntil'],
    ['collectedAt in the future', { collectedAt: new Date(Date.now() + 86400_000).toISOString() }, 'collectedAt'],
    ['a malformed control reference', { controlRefs: ['SOC2:CC6.1', 'ISO27001:<script>'] }, 'controlRefs[1]'],
    ['an empty title', { title: '   ' }, 'title'],
    ['a NUL character', { title: 'Policy\u0000' }, 'title'],
    ['a title over 300 characters', { title: 'x'.repeat(301) }, 'title'],
  ])('refuses %s with a coded error naming it, and creates nothing', async (_label, overrides, field) => {
    const before = await count(owner.tenant.id);
    const answer = await gql(CREATE, { input: input(overrides) }, member.accessToken);
    expect(['BAD_USER_INPUT', 'NOT_FOUND']).toContain(codeOf(answer));
    expect(answer.errors![0].message).toContain(field);
    expect(await count(owner.tenant.id)).toBe(before);
  });

  it('lets an AUDITOR read but not create, and a PARTNER key reach nothing', async () => {
    const item = await create(member.accessToken);
    expect(ok(await gql(`query ($id: ID!) { evidence(id: $id) { id } }`, { id: item.id }, auditor.accessToken)).evidence).toEqual({ id: item.id });
    expect(codeOf(await gql(CREATE, { input: input() }, auditor.accessToken))).toBe('FORBIDDEN');
    const key = ok(
      await gql('mutation ($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }', {
        i: { name: 'Partner', role: 'PARTNER', expiresAt: new Date(Date.now() + 86400_000).toISOString() },
      }, owner.accessToken),
    ).createApiKey.secret;
    expect(codeOf(await gql(LIST, {}, key))).toBe('FORBIDDEN');
    expect(codeOf(await gql(CREATE, { input: input() }, key))).toBe('FORBIDDEN');
  });

  it('is decided only once submitted, never by its creator, with the decision history kept', async () => {
    const item = await create(manager.accessToken);
    expect(codeOf(await gql(DECIDE, { id: item.id, d: 'APPROVE', r: 'too early' }, owner.accessToken))).toBe('CONFLICT');
    expect(ok(await gql(SUBMIT, { id: item.id }, manager.accessToken)).submitEvidence.status).toBe('SUBMITTED');
    expect(codeOf(await gql(SUBMIT, { id: item.id }, manager.accessToken))).toBe('CONFLICT');

    const own = await gql(DECIDE, { id: item.id, d: 'APPROVE', r: 'looks right to me' }, manager.accessToken);
    expect(codeOf(own)).toBe('FORBIDDEN');
    expect(own.errors![0].message).toContain('created');
    expect(codeOf(await gql(DECIDE, { id: item.id, d: 'APPROVE', r: 'fine' }, member.accessToken))).toBe('FORBIDDEN');
    expect(codeOf(await gql(DECIDE, { id: item.id, d: 'APPROVE', r: '' }, owner.accessToken))).toBe('BAD_USER_INPUT');

    const decided = ok(await gql(DECIDE, { id: item.id, d: 'REJECT', r: 'Minutes are unsigned' }, owner.accessToken)).decideEvidence;
    expect(decided.status).toBe('REJECTED');
    expect(decided.decisions).toEqual([{ decision: 'REJECT', rationale: 'Minutes are unsigned', decidedAt: expect.any(String), decidedBy: { id: owner.user.id, displayName: 'Evidentia person' } }]);
    expect(codeOf(await gql(DECIDE, { id: item.id, d: 'APPROVE', r: 'changed my mind' }, owner.accessToken))).toBe('CONFLICT');
    expect(codeOf(await gql(SUBMIT, { id: item.id }, manager.accessToken))).toBe('CONFLICT');
  });

  it('takes exactly one of many concurrent decisions on one item', async () => {
    const item = await create(member.accessToken);
    ok(await gql(SUBMIT, { id: item.id }, member.accessToken));
    const deciders = [owner, manager];
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, n) => gql(DECIDE, { id: item.id, d: n % 2 ? 'APPROVE' : 'REJECT', r: `decision ${n}` }, deciders[n % 2].accessToken)),
    );
    expect(answers.filter((a) => !a.errors)).toHaveLength(1);
    expect(new Set(answers.filter((a) => a.errors).map(codeOf))).toEqual(new Set(['CONFLICT']));
    const { rows } = await admin().query(`SELECT count(*)::int AS n FROM evidence.decisions WHERE evidence_id = $1`, [item.id]);
    expect(rows[0].n).toBe(1);
  });

  it('keeps each upload as an immutable revision, newest first, and sends a decided item back to DRAFT', async () => {
    const first = randomBytes(2048);
    const sent = await upload(member.accessToken, first, 'Zugriffsprüfung Q3.pdf');
    const item = await create(member.accessToken, { sourceKind: 'UPLOAD', sourceRef: 'Zugriffsprüfung Q3.pdf', uploadId: sent.uploadId });
    expect(item.currentRevision).toEqual({ version: 1 });
    ok(await gql(SUBMIT, { id: item.id }, member.accessToken));
    ok(await gql(DECIDE, { id: item.id, d: 'REJECT', r: 'Signature page missing' }, owner.accessToken));

    const second = randomBytes(4096);
    const again = await upload(manager.accessToken, second, 'Zugriffsprüfung Q3 signed.pdf');
    const revised = ok(await gql(REVISE, { id: item.id, upload: again.uploadId }, manager.accessToken)).addEvidenceRevision;
    expect(revised.status).toBe('DRAFT');
    expect(revised.currentRevision).toEqual({ version: 2, sha256: sha256Of(second) });
    expect(revised.revisions).toEqual([
      {
        id: expect.any(String),
        version: 2,
        sha256: sha256Of(second),
        sizeBytes: 4096,
        contentType: 'application/pdf',
        fileName: 'Zugriffsprüfung Q3 signed.pdf',
        uploadedAt: expect.any(String),
        uploadedBy: { id: manager.user.id, displayName: 'COMPLIANCE_MANAGER person' },
      },
      expect.objectContaining({ version: 1, sha256: sha256Of(first), uploadedBy: { id: member.user.id, displayName: 'MEMBER person' } }),
    ]);
    expect(revised.decisions).toEqual([{ decision: 'REJECT' }]);

    const trail = await trailOf(item.id, owner.accessToken, 5);
    const added = trail.filter((event: any) => event.action === 'evidence.revision_added');
    expect(added.map((event: any) => event.data)).toEqual([
      expect.objectContaining({ version: 1, sha256: sha256Of(first), sizeBytes: 2048, statusBefore: 'DRAFT' }),
      expect.objectContaining({ version: 2, sha256: sha256Of(second), sizeBytes: 4096, statusBefore: 'REJECTED' }),
    ]);
  });

  it("refuses the decision of the current revision's uploader, and takes another decider's", async () => {
    const item = await create(member.accessToken, { sourceKind: 'UPLOAD', sourceRef: 'a.pdf', uploadId: (await upload(member.accessToken, randomBytes(100))).uploadId });
    ok(await gql(REVISE, { id: item.id, upload: (await upload(manager.accessToken, randomBytes(100))).uploadId }, manager.accessToken));
    ok(await gql(SUBMIT, { id: item.id }, member.accessToken));
    const byUploader = await gql(DECIDE, { id: item.id, d: 'APPROVE', r: 'my own upload' }, manager.accessToken);
    expect(codeOf(byUploader)).toBe('FORBIDDEN');
    expect(byUploader.errors![0].message).toContain('uploaded');
    expect(ok(await gql(DECIDE, { id: item.id, d: 'APPROVE', r: 'Verified against the source' }, owner.accessToken)).decideEvidence.status).toBe('APPROVED');
  });

  it("claims an upload once, and only its uploader's, changing nothing when refused", async () => {
    const item = await create(member.accessToken);
    const mine = await upload(member.accessToken, randomBytes(64));
    ok(await gql(REVISE, { id: item.id, upload: mine.uploadId }, member.accessToken));
    expect(codeOf(await gql(REVISE, { id: item.id, upload: mine.uploadId }, member.accessToken))).toBe('CONFLICT');
    const someoneElses = await upload(manager.accessToken, randomBytes(64));
    expect(codeOf(await gql(REVISE, { id: item.id, upload: someoneElses.uploadId }, member.accessToken))).toBe('NOT_FOUND');
    const other = await signUp(gql, 'Intruder');
    const foreign = await upload(other.accessToken, randomBytes(64));
    expect(codeOf(await gql(REVISE, { id: item.id, upload: foreign.uploadId }, member.accessToken))).toBe('NOT_FOUND');
    expect(codeOf(await gql(CREATE, { input: input({ sourceKind: 'UPLOAD', sourceRef: 'x.pdf', uploadId: foreign.uploadId }) }, member.accessToken))).toBe('NOT_FOUND');
    const { rows } = await admin().query(`SELECT version FROM evidence.revisions WHERE evidence_id = $1`, [item.id]);
    expect(rows).toEqual([{ version: 1 }]);
    const claimed = await admin().query(`SELECT id FROM evidence.uploads WHERE id = ANY($1) AND claimed_at IS NOT NULL`, [[someoneElses.uploadId, foreign.uploadId]]);
    expect(claimed.rows).toEqual([]);
  });

  it('numbers concurrent revisions of one item without gaps', async () => {
    const item = await create(member.accessToken);
    const uploads = await Promise.all(Array.from({ length: 8 }, () => upload(member.accessToken, randomBytes(256))));
    const answers = await Promise.all(uploads.map((u) => gql(REVISE, { id: item.id, upload: u.uploadId }, member.accessToken)));
    expect(answers.filter((a) => a.errors)).toEqual([]);
    const { rows } = await admin().query(`SELECT version FROM evidence.revisions WHERE evidence_id = $1 ORDER BY version`, [item.id]);
    expect(rows.map((r) => r.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('records every change in the audit log, with actor and rationale, readable as the item\'s trail', async () => {
    const item = await create(member.accessToken);
    ok(await gql(SUBMIT, { id: item.id }, member.accessToken));
    ok(await gql(DECIDE, { id: item.id, d: 'APPROVE', r: 'Signed and complete' }, manager.accessToken));
    const trail = await trailOf(item.id, owner.accessToken, 3);
    expect(trail.map((event: any) => event.action)).toEqual(['evidence.created', 'evidence.submitted', 'evidence.decided']);
    expect(trail[0]).toMatchObject({ actorKind: 'USER', actorId: member.user.id, data: { title: 'Access review Q3', sourceKind: 'MANUAL', controlRefs: ['ISO27001:A.5.15', 'SOC2:CC6.1'] } });
    expect(trail[2]).toMatchObject({ actorId: manager.user.id, reason: 'Signed and complete', data: { decision: 'APPROVE', status: 'APPROVED' } });
  });

  it('lists newest first with the filters, a literal search, expiry, and stable pages', async () => {
    const tag = `t${Date.now()}`;
    const expiredItem = await create(member.accessToken, { title: `${tag} old pentest`, collectedAt: '2025-01-01T00:00:00.000Z', validUntil: '2025-06-01T00:00:00.000Z' });
    const renewSoon = await create(member.accessToken, { title: `${tag} 100% coverage`, validUntil: new Date(Date.now() + 7 * 86400_000).toISOString(), controlRefs: ['SOC2:CC7.2'] });
    const lasting = await create(member.accessToken, { title: `${tag} policy`, validUntil: '2030-01-01T00:00:00.000Z' });
    ok(await gql(SUBMIT, { id: lasting.id }, member.accessToken));
    const list = async (filter: Record<string, unknown>, first = 50, after?: string) => ok(await gql(LIST, { filter, first, after }, auditor.accessToken)).evidenceList;

    expect((await list({ search: tag })).nodes.map((n: any) => n.id)).toEqual([lasting.id, renewSoon.id, expiredItem.id]);
    expect((await list({ search: `${tag} 100%` })).nodes.map((n: any) => n.id)).toEqual([renewSoon.id]);
    expect((await list({ search: `${tag} 1_0` })).totalCount).toBe(0);
    expect((await list({ search: tag, status: 'SUBMITTED' })).nodes.map((n: any) => n.id)).toEqual([lasting.id]);
    expect((await list({ search: tag, controlRef: 'SOC2:CC7.2' })).nodes.map((n: any) => n.id)).toEqual([renewSoon.id]);
    const dueSoon = await list({ search: tag, expiringBefore: new Date(Date.now() + 30 * 86400_000).toISOString() });
    expect(dueSoon.nodes).toEqual([
      { id: renewSoon.id, title: `${tag} 100% coverage`, status: 'DRAFT', expired: false },
      { id: expiredItem.id, title: `${tag} old pentest`, status: 'DRAFT', expired: true },
    ]);

    const first = await list({ search: tag }, 2);
    expect(first).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: true } });
    const second = await list({ search: tag }, 2, first.pageInfo.endCursor);
    expect(second.nodes.map((n: any) => n.id)).toEqual([expiredItem.id]);
    expect(second.pageInfo.hasNextPage).toBe(false);
    expect(codeOf(await gql(LIST, { first: 201 }, auditor.accessToken))).toBe('BAD_USER_INPUT');
    expect(codeOf(await gql(LIST, { after: 'bm90LWEtY3Vyc29y' }, auditor.accessToken))).toBe('BAD_USER_INPUT');
  });

  it("keeps another tenant's items out of reach: absent in lists and lookups, NOT_FOUND to change", async () => {
    const item = await create(member.accessToken, { title: 'Confidential board minutes' });
    const other = await signUp(gql, 'Rival');
    expect(ok(await gql(`query ($id: ID!) { evidence(id: $id) { id } }`, { id: item.id }, other.accessToken)).evidence).toBeNull();
    expect(ok(await gql(LIST, { filter: { search: 'Confidential board minutes' } }, other.accessToken)).evidenceList.totalCount).toBe(0);
    expect(codeOf(await gql(SUBMIT, { id: item.id }, other.accessToken))).toBe('NOT_FOUND');
    expect(codeOf(await gql(DECIDE, { id: item.id, d: 'APPROVE', r: 'mine now' }, other.accessToken))).toBe('NOT_FOUND');
    const { rows } = await admin().query(`SELECT status FROM evidence.evidence WHERE id = $1`, [item.id]);
    expect(rows[0].status).toBe('DRAFT');
  });
});
