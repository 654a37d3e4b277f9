import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROUTER_SECRET_HEADER } from '@compliance-graph/auth';
import { ACCESS_REVIEW_REPORT } from '@compliance-graph/internal-api';
import { deadLetters } from '@compliance-graph/outbox';
import { admin, bearer, closeAdmin, postGraphql } from '@compliance-graph/testing';
import { IdentityOutbox, announcement, completedReview, reportCsv, sha256Hex } from './access-reviews';
import { joinTenant, signUp, type AuthPayload } from './accounts';
import { graphqlClient } from './graphql-client';
import { INTERNAL_SERVICE_TOKEN, ROUTER_SECRET, startStack, type Stack } from './stack';

const REPORT = `id title sourceKind sourceRef status controlRefs collectedAt createdBy { id }
  currentRevision { version sha256 sizeBytes contentType fileName uploadedBy { id } }
  revisions { version } decisions { decision rationale decidedAt decidedBy { id } }`;
const BY_SOURCE = `query ($search: String!) { evidenceList(filter: { search: $search }) { totalCount nodes { ${REPORT} } } }`;
const VERIFY_CLI = join(__dirname, '../../tools/verify/dist/main.js');
const ACCESS_REVIEW_ENTITY = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on AccessReview { id evidence { id status } } } }';

/**
 * identity's outbox announces `access_review.completed` (the test enqueues the message, since
 * access reviews are a later issue) and its relay delivers it to evidence, which records the
 * report as SYSTEM evidence approved by the review.
 */
describe('access review reports', () => {
  const blobDir = mkdtempSync(join(tmpdir(), 'cg-e2e-reports-'));
  let stack: Stack;
  let gql: ReturnType<typeof graphqlClient>;
  let outbox: IdentityOutbox;
  let owner: AuthPayload;
  let reviewer: AuthPayload;
  let auditor: AuthPayload;
  let complianceManager: AuthPayload;
  let otherOwner: AuthPayload;

  beforeAll(async () => {
    stack = await startStack({ EVIDENCE_BLOB_DIR: blobDir });
    gql = graphqlClient(stack.gatewayUrl);
    outbox = await new IdentityOutbox().open();
    owner = await signUp(gql);
    reviewer = await joinTenant(gql, owner.accessToken, 'ADMIN');
    auditor = await joinTenant(gql, owner.accessToken, 'AUDITOR');
    complianceManager = await joinTenant(gql, owner.accessToken, 'COMPLIANCE_MANAGER');
    otherOwner = await signUp(gql, 'Other');
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
    await outbox?.close();
    await closeAdmin();
  });

  const reportsOf = async (reviewId: string, token = owner.accessToken) => (await gql(BY_SOURCE, { search: reviewId }, token)).data.evidenceList;
  const entityAt = async (reviewId: string, token: string) =>
    postGraphql(
      `${stack.subgraphUrls.evidence}/graphql`,
      { query: ACCESS_REVIEW_ENTITY, variables: { r: [{ __typename: 'AccessReview', id: reviewId }] } },
      { [ROUTER_SECRET_HEADER]: ROUTER_SECRET, ...bearer(token) },
    );

  it('records the report as SYSTEM evidence, created and approved by the user who completed the review, with the CSV as revision 1', async () => {
    const review = completedReview(owner.tenant.id, reviewer.user.id, { csv: reportCsv(40) });
    expect(await outbox.deliver(announcement(review))).toBe('delivered');

    const { totalCount, nodes } = await reportsOf(review.reviewId);
    expect(totalCount).toBe(1);
    const csvBytes = Buffer.from(review.csv, 'utf8');
    expect(nodes[0]).toEqual({
      id: expect.any(String),
      title: review.title,
      sourceKind: 'SYSTEM',
      sourceRef: `identity:access-review:${review.reviewId}`,
      status: 'APPROVED',
      controlRefs: ['ISO27001:A.5.18', 'SOC2:CC6.2', 'SOC2:CC6.3'],
      collectedAt: review.completedAt,
      createdBy: { id: reviewer.user.id },
      currentRevision: {
        version: 1,
        sha256: review.csvSha256,
        sizeBytes: csvBytes.length,
        contentType: 'text/csv; charset=utf-8',
        fileName: `access-review-${review.reviewId}.csv`,
        uploadedBy: { id: reviewer.user.id },
      },
      revisions: [{ version: 1 }],
      decisions: [
        {
          decision: 'APPROVE',
          rationale: `Access review "${review.title}" (${review.reviewId}) completed on ${review.completedAt.slice(0, 10)}`,
          decidedAt: review.completedAt,
          decidedBy: { id: reviewer.user.id },
        },
      ],
    });
    // The stored file is the CSV, byte for byte, and its upload is claimed, so the collector keeps it.
    expect(readFileSync(join(blobDir, review.csvSha256.slice(0, 2), review.csvSha256))).toEqual(csvBytes);
    const { rows: uploads } = await admin().query(`SELECT uploaded_by, claimed_at IS NOT NULL AS claimed FROM evidence.uploads WHERE sha256 = $1 AND tenant_id = $2`, [
      review.csvSha256,
      owner.tenant.id,
    ]);
    expect(uploads).toEqual([{ uploaded_by: reviewer.user.id, claimed: true }]);
  });

  it('seals into a proofpack that verifies offline (approved by the review, without a submission)', async () => {
    const review = completedReview(owner.tenant.id, reviewer.user.id, { csv: reportCsv(5) });
    expect(await outbox.deliver(announcement(review))).toBe('delivered');
    const [report] = (await reportsOf(review.reviewId)).nodes;
    const created = await gql('mutation ($ids: [ID!]!) { createProofpack(title: "Access reviews 2026", evidenceIds: $ids) { id } }', { ids: [report.id] }, owner.accessToken);
    const sealed = await gql('mutation ($id: ID!) { sealProofpack(id: $id) { status downloadPath } }', { id: created.data.createProofpack.id }, owner.accessToken);
    expect(sealed.data.sealProofpack.status).toBe('SEALED');
    const zip = Buffer.from(await (await fetch(`${stack.gatewayUrl}${sealed.data.sealProofpack.downloadPath}`, { headers: bearer(auditor.accessToken) })).arrayBuffer());
    const zipFile = join(blobDir, 'report-pack.zip');
    writeFileSync(zipFile, zip);
    const { stdout } = await promisify(execFile)(process.execPath, [VERIFY_CLI, 'proofpack', zipFile, '--graph', stack.gatewayUrl], {
      encoding: 'utf8',
      env: { ...process.env, CG_TOKEN: auditor.accessToken },
    });
    expect(stdout).toMatch(/^ok: proofpack .* 1 item/);
  });

  it('audits every change as the system, naming the review and the user, and the audit service takes the events', async () => {
    const review = completedReview(owner.tenant.id, reviewer.user.id);
    await outbox.deliver(announcement(review));
    const [{ id: evidenceId }] = (await reportsOf(review.reviewId)).nodes;
    const events = async () =>
      (
        await admin().query(
          `SELECT payload->>'action' AS action, payload->>'actorKind' AS "actorKind", payload->'data'->>'accessReviewId' AS "accessReviewId",
                  payload->'data'->>'completedBy' AS "completedBy", delivered_at IS NOT NULL AS delivered
             FROM evidence.outbox WHERE payload->>'subjectId' = $1 ORDER BY position`,
          [evidenceId],
        )
      ).rows;
    const deadline = Date.now() + 30_000;
    while ((await events()).some((event) => !event.delivered) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    const about = { actorKind: 'SYSTEM', accessReviewId: review.reviewId, completedBy: reviewer.user.id, delivered: true };
    expect(await events()).toEqual([
      { action: 'evidence.created', ...about },
      { action: 'evidence.revision_added', ...about },
      { action: 'evidence.decided', ...about },
    ]);
  });

  it('records nothing new for a redelivered event or a second event about the same review, and answers both', async () => {
    const review = completedReview(owner.tenant.id, reviewer.user.id);
    const first = announcement(review);
    await outbox.deliver(first);
    // A relay that delivered and died before recording it delivers the same message again.
    await admin().query(`UPDATE identity.outbox SET delivered_at = NULL WHERE id = $1`, [first.id]);
    expect(await outbox.settled(first.id)).toBe('delivered');
    expect(await outbox.deliver(announcement({ ...review, title: 'The same review, announced again' }))).toBe('delivered');

    const { totalCount, nodes } = await reportsOf(review.reviewId);
    expect({ totalCount, title: nodes[0].title }).toEqual({ totalCount: 1, title: review.title });
    const { rows } = await admin().query(`SELECT count(*)::int AS reports FROM evidence.access_review_reports WHERE review_id = $1`, [review.reviewId]);
    expect(rows).toEqual([{ reports: 1 }]);
  });

  it('refuses a CSV that does not match its hash until the relay sets the message aside as dead, and records nothing', async () => {
    const review = completedReview(owner.tenant.id, reviewer.user.id, { csvSha256: sha256Hex('another file') });
    const message = announcement(review);
    expect(await outbox.deliver(message)).toBe('dead');

    const dead = (await deadLetters(outbox.db, 'identity').list()).find((letter) => letter.id === message.id);
    expect(dead).toMatchObject({ topic: 'access_review.completed', tenantId: owner.tenant.id, refusals: 3, lastError: expect.stringContaining('HTTP 400') });
    expect((await reportsOf(review.reviewId)).totalCount).toBe(0);
  });

  it('takes a 15 MiB report in one delivery', async () => {
    const line = '1,"member@example.test",ADMIN,REVOKE,,"left the company, ""offboarded""",reviewer@example.test,2026-03-31T10:00:00.000Z\r\n';
    const csv = line.repeat(Math.ceil((15 * 1024 * 1024) / line.length));
    const review = completedReview(owner.tenant.id, reviewer.user.id, { csv, csvSha256: sha256Hex(csv) });
    expect(await outbox.deliver(announcement(review))).toBe('delivered');
    expect((await reportsOf(review.reviewId)).nodes[0].currentRevision).toMatchObject({ sha256: review.csvSha256, sizeBytes: Buffer.byteLength(csv) });
  }, 60_000);

  it("is AccessReview.evidence for the tenant's readers, by _entities as the router asks for it, and nothing for anyone else", async () => {
    const review = completedReview(owner.tenant.id, owner.user.id);
    await outbox.deliver(announcement(review));
    const [{ id: evidenceId }] = (await reportsOf(review.reviewId)).nodes;

    for (const reader of [owner, reviewer, auditor]) {
      expect((await entityAt(review.reviewId, reader.accessToken)).body).toEqual({
        data: { _entities: [{ id: review.reviewId, evidence: { id: evidenceId, status: 'APPROVED' } }] },
      });
    }
    // Staff who are not readers of access reviews: the review, but not its report (which they still find in evidenceList).
    const staff = (await entityAt(review.reviewId, complianceManager.accessToken)).body;
    expect(staff.data._entities).toEqual([{ id: review.reviewId, evidence: null }]);
    expect(staff.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['FORBIDDEN']);
    expect((await reportsOf(review.reviewId, complianceManager.accessToken)).totalCount).toBe(1);
    // Another tenant, and a review without a report, find nothing.
    expect((await entityAt(review.reviewId, otherOwner.accessToken)).body).toEqual({ data: { _entities: [null] } });
    expect((await entityAt(completedReview(owner.tenant.id, owner.user.id).reviewId, owner.accessToken)).body).toEqual({ data: { _entities: [null] } });
    expect((await gql('query ($id: ID!) { evidence(id: $id) { id } }', { id: evidenceId }, otherOwner.accessToken)).data).toEqual({ evidence: null });
    expect((await reportsOf(review.reviewId, otherOwner.accessToken)).totalCount).toBe(0);
  });

  it("refuses calls to the report route without identity's report credential", async () => {
    const review = completedReview(owner.tenant.id, owner.user.id);
    const post = (headers: Record<string, string>) =>
      fetch(`${stack.subgraphUrls.evidence}${ACCESS_REVIEW_REPORT.path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ topic: 'access_review.completed', messages: [announcement(review)] }),
      }).then(async (answer) => ({ status: answer.status, body: await answer.json() }));
    const refused = { status: 401, body: { error: { code: 'UNAUTHENTICATED', message: 'Service credential required' } } };
    expect(await post({})).toEqual(refused);
    // The relays' audit ingest credential, the router secret, a user's token: none is identity's report credential.
    expect(await post(bearer(INTERNAL_SERVICE_TOKEN))).toEqual(refused);
    expect(await post({ [ROUTER_SECRET_HEADER]: ROUTER_SECRET, ...bearer(ROUTER_SECRET) })).toEqual(refused);
    expect(await post(bearer(owner.accessToken))).toEqual(refused);
    expect((await reportsOf(review.reviewId)).totalCount).toBe(0);
  });
});
