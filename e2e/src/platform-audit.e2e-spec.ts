import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { ACCESS_TOKEN_TYPE, PLATFORM_TENANT_ID, ROUTER_SECRET_HEADER } from '@compliance-graph/auth';
import { platformAuditMessage } from '@compliance-graph/outbox';
import { TEST_AUDIENCE, admin, bearer, closeAdmin, postGraphql, testDatabaseUrl, testKeys } from '@compliance-graph/testing';
import { signUp, type AuthPayload } from './accounts';
import { codeOf, graphqlClient } from './graphql-client';
import { ROUTER_SECRET, startStack, type Stack } from './stack';

const ROOT = join(__dirname, '../..');
const OPERATOR_CLI = join(ROOT, 'tools/start/dist/operator.js');
const VERIFY_CLI = join(ROOT, 'tools/verify/dist/main.js');

/** A built CLI run as an operator runs it: exit code, stdout and stderr. */
function run(cli: string, args: string[]): { code: number; out: string; err: string } {
  try {
    return { code: 0, out: execFileSync(process.execPath, [cli, ...args], { env: { ...process.env, DATABASE_URL: testDatabaseUrl() }, encoding: 'utf8', stdio: 'pipe' }), err: '' };
  } catch (error) {
    const failed = error as { status: number; stdout: string; stderr: string };
    return { code: failed.status, out: failed.stdout, err: failed.stderr };
  }
}
const operator = (...args: string[]) => run(OPERATOR_CLI, args);

/** The platform log's records about one subject, in seq order, as stored by the audit service. */
const platformRecords = async (subjectId: string) =>
  (
    await admin().query(
      `SELECT seq::int, action, actor_kind, service, user_agent, data FROM audit.events WHERE tenant_id = $1 AND subject_id = $2 ORDER BY seq`,
      [PLATFORM_TENANT_ID, subjectId],
    )
  ).rows;

/** Polls `probe` until it holds: records reach the log through the relay, checkpoints come from the checkpointer. */
async function eventually<T>(probe: () => Promise<T>, holds: (value: T) => boolean, what: string): Promise<T> {
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
    const value = await probe();
    if (holds(value)) return value;
  }
  throw new Error(`timed out waiting for ${what}`);
}

const isOperator = async (userId: string) => (await admin().query(`SELECT is_operator FROM identity.users WHERE id = $1`, [userId])).rows[0].is_operator;

describe('platform audit log', () => {
  let stack: Stack;
  let gql: ReturnType<typeof graphqlClient>;
  let owner: AuthPayload;
  let keyFile: string;
  const dir = mkdtempSync(join(tmpdir(), 'cg-platform-audit-'));

  beforeAll(async () => {
    stack = await startStack({ AUDIT_CHECKPOINT_INTERVAL_SECONDS: '1' });
    gql = graphqlClient(stack.gatewayUrl);
    owner = await signUp(gql, 'Platformed');
    const { data } = await gql('{ auditPublicKeys { keyId publicKeyJwk } }', {}, owner.accessToken);
    keyFile = join(dir, 'key.json');
    writeFileSync(keyFile, JSON.stringify(data.auditPublicKeys[0].publicKeyJwk));
  });
  afterAll(async () => {
    await stack.stop();
    await closeAdmin();
  });

  it('records a grant and then a revoke, in order, with actor and target, and the platform log verifies', async () => {
    const target = await signUp(gql, 'Target');
    expect(operator('grant', target.user.email, '--actor', 'alice@ops').out).toContain('granted platform operator');
    expect(operator('revoke', target.user.email, '--actor', 'alice@ops').out).toContain('revoked platform operator');
    const records = await eventually(() => platformRecords(target.user.id), (rows) => rows.length === 2, 'the grant and revoke records');
    expect(records.map((r) => r.action)).toEqual(['platform.operator_granted', 'platform.operator_revoked']);
    expect(records[0].seq).toBeLessThan(records[1].seq);
    for (const record of records) {
      expect(record).toMatchObject({ actor_kind: 'SYSTEM', service: 'identity', user_agent: 'npm run operator' });
      expect(record.data).toMatchObject({ actor: 'alice@ops', email: target.user.email });
    }
    expect(records.map((r) => r.data.wasOperator)).toEqual([false, true]);

    const listed = operator('audit', 'list', '--limit', '1000').out.split('\n');
    const grantLine = listed.findIndex((line) => line.includes('platform.operator_granted') && line.includes(target.user.id));
    const revokeLine = listed.findIndex((line) => line.includes('platform.operator_revoked') && line.includes(target.user.id));
    expect(grantLine).toBeGreaterThanOrEqual(0);
    expect(revokeLine).toBeGreaterThan(grantLine);
    expect(listed[grantLine]).toContain('"actor":"alice@ops"');

    // The checkpointer signs the platform log like any tenant's; then the whole log verifies.
    const verified = await eventually(
      async () => operator('audit', 'verify', '--key', keyFile),
      (answer) => answer.code === 0 && Number(/size (\d+)/.exec(answer.out)?.[1]) > records[1].seq,
      'a checkpoint covering the revoke',
    );
    expect(verified.out).toMatch(/^ok: platform log of \d+ record\(s\) verifies; latest checkpoint \(size \d+, key .+\) verifies\n$/);

    // Exported as tenants' logs are, it verifies offline with the existing verifier.
    const file = join(dir, 'platform.ndjson');
    const exported = operator('audit', 'export', '--out', file, '--actor', 'alice@ops');
    expect(exported.code).toBe(0);
    const offline = run(VERIFY_CLI, ['audit', file, '--checkpoint', `${file}.checkpoint.json`, '--key', keyFile]);
    expect(offline).toMatchObject({ code: 0, out: expect.stringMatching(/^ok, \d+ events/) });
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.every((record) => record.tenantId === PLATFORM_TENANT_ID)).toBe(true);
    expect(lines.filter((record) => record.subjectId === target.user.id).map((record) => record.action)).toEqual(['platform.operator_granted', 'platform.operator_revoked']);
    const recordedExport = await eventually(
      async () => (await admin().query(`SELECT data FROM audit.events WHERE tenant_id = $1 AND action = 'audit.exported' ORDER BY seq DESC LIMIT 1`, [PLATFORM_TENANT_ID])).rows,
      (rows) => rows.length === 1,
      'the export record',
    );
    expect(recordedExport[0].data).toMatchObject({ actor: 'alice@ops', format: 'ndjson', treeSize: lines.length });

    // A changed record no longer verifies, offline or in place.
    const tampered = join(dir, 'tampered.ndjson');
    writeFileSync(tampered, readFileSync(file, 'utf8').replace('"alice@ops"', '"mallory@ops"'));
    expect(run(VERIFY_CLI, ['audit', tampered, '--checkpoint', `${file}.checkpoint.json`, '--key', keyFile]).out).toMatch(/^FAILED at seq \d+: .*changed/);
  });

  it('records an MFA reset across tenants in the platform log too', async () => {
    const member = await signUp(gql, 'Resettable');
    expect(operator('reset-mfa', member.user.email, 'lost', 'phone', 'ticket', '99', '--actor', 'bob@ops').code).toBe(0);
    const [record] = await eventually(() => platformRecords(member.user.id), (rows) => rows.length === 1, 'the reset record');
    expect(record).toMatchObject({ action: 'platform.mfa_reset', data: { actor: 'bob@ops', email: member.user.email, tenants: [member.tenant.id] } });
  });

  it('refuses an actor or target that is not valid input, and changes nothing', async () => {
    const target = await signUp(gql, 'Refused');
    for (const actor of ['ev\u0001il', 'a\nb', 'x'.repeat(201), '   ']) {
      const answer = operator('grant', target.user.email, '--actor', actor);
      expect(answer.code).toBe(1);
      expect(answer.err).toMatch(/^actor (must not contain control characters|must be 1-200 characters)/);
    }
    expect(operator('grant', 'not an email').err).toContain('email is not a valid address');
    expect(operator('grant', target.user.email, '--unknown', 'x').code).not.toBe(0);
    expect(await isOperator(target.user.id)).toBe(false);
    expect((await admin().query(`SELECT count(*)::int AS n FROM identity.outbox WHERE tenant_id = $1 AND payload->>'subjectId' = $2`, [PLATFORM_TENANT_ID, target.user.id])).rows[0].n).toBe(0);
  });

  it('does not grant when the record cannot be written (the outbox refuses the insert)', async () => {
    const target = await signUp(gql, 'Unrecorded');
    await admin().query('REVOKE INSERT ON identity.outbox FROM identity_worker');
    try {
      const answer = operator('grant', target.user.email);
      expect(answer.code).toBe(1);
      expect(answer.err).toContain('permission denied for table outbox');
    } finally {
      await admin().query('GRANT INSERT ON identity.outbox TO identity_worker');
    }
    expect(await isOperator(target.user.id)).toBe(false);
    expect(operator('grant', target.user.email).code).toBe(0);
    expect(await isOperator(target.user.id)).toBe(true);
  });

  it('grants while the audit service is down: the record waits in the outbox, committed with the grant, and reaches the log when audit is back', async () => {
    const target = await signUp(gql, 'Unreachable');
    await stack.stopAudit();
    try {
      expect(operator('grant', target.user.email, '--actor', 'carol@ops').code).toBe(0);
      expect(await isOperator(target.user.id)).toBe(true);
      const waiting = await admin().query(
        `SELECT delivered_at FROM identity.outbox WHERE tenant_id = $1 AND payload->>'subjectId' = $2`,
        [PLATFORM_TENANT_ID, target.user.id],
      );
      expect(waiting.rows).toEqual([{ delivered_at: null }]);
      expect(await platformRecords(target.user.id)).toEqual([]);
    } finally {
      await stack.startAudit();
    }
    const [record] = await eventually(() => platformRecords(target.user.id), (rows) => rows.length === 1, 'the delivered grant record');
    expect(record).toMatchObject({ action: 'platform.operator_granted', data: { actor: 'carol@ops' } });
  });

  it("delivers audit's own outbox (its migrations' records) to the platform log, in-process", async () => {
    const message = platformAuditMessage('audit', {
      action: 'platform.migrations_applied',
      subjectType: 'Service',
      subjectId: 'audit',
      actor: 'spec',
      tool: 'platform-audit spec',
      data: { schema: 'audit', migrations: ['Probe1765699200000'] },
    });
    await admin().query(`INSERT INTO audit.outbox (id, topic, tenant_id, occurred_at, payload) VALUES ($1, $2, $3, $4, $5)`, [
      message.id,
      message.topic,
      message.tenantId,
      message.occurredAt,
      JSON.stringify(message.payload),
    ]);
    const delivered = await eventually(
      async () => (await admin().query(`SELECT action, service FROM audit.events WHERE id = $1`, [message.id])).rows,
      (rows) => rows.length === 1,
      "audit's own record",
    );
    expect(delivered).toEqual([{ action: 'platform.migrations_applied', service: 'audit' }]);
  });

  describe('is no tenant', () => {
    const forgedToken = async () => {
      const { signingKey } = await testKeys();
      return new SignJWT({ tid: PLATFORM_TENANT_ID, role: 'OWNER', kind: 'USER', sid: owner.user.id, typ: 'access', scope: 'full', amr: ['pwd', 'otp'] })
        .setProtectedHeader({ alg: 'EdDSA', kid: signingKey.kid, typ: ACCESS_TOKEN_TYPE })
        .setSubject(owner.user.id)
        .setIssuer(TEST_AUDIENCE.issuer)
        .setAudience(TEST_AUDIENCE.audience)
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(signingKey.privateKey);
    };

    it('shows a tenant admin nothing of it, through the graph or the export route', async () => {
      const [platformEvent] = (await admin().query(`SELECT id FROM audit.events WHERE tenant_id = $1 LIMIT 1`, [PLATFORM_TENANT_ID])).rows;
      expect(platformEvent).toBeDefined();
      const { data } = await gql(
        'query ($id: ID!) { auditEvent(id: $id) { id } auditEvents(filter: { action: "platform." }) { totalCount } }',
        { id: platformEvent.id },
        owner.accessToken,
      );
      expect(data).toEqual({ auditEvent: null, auditEvents: { totalCount: 0 } });
      const proof = await gql('query ($id: ID!) { auditInclusionProof(eventId: $id) { leafIndex } }', { id: platformEvent.id }, owner.accessToken);
      expect(codeOf(proof)).toBe('BAD_USER_INPUT');
      const answer = await fetch(`${stack.gatewayUrl}/audit/export?format=ndjson`, { headers: bearer(owner.accessToken) });
      expect(answer.status).toBe(200);
      const records = (await answer.text()).trim().split('\n').map((line) => JSON.parse(line));
      expect(records.every((record) => record.tenantId === owner.tenant.id)).toBe(true);
    });

    it('refuses a validly signed token naming it, at the gateway and at the audit subgraph itself', async () => {
      const token = await forgedToken();
      expect(codeOf(await gql('{ auditEvents { totalCount } }', {}, token))).toBe('UNAUTHENTICATED');
      expect((await fetch(`${stack.gatewayUrl}/audit/export?format=ndjson`, { headers: bearer(token) })).status).toBe(401);
      // Past the gateway's session check, as a request with the router secret arrives: the token itself is refused.
      const asRouter = { ...bearer(token), [ROUTER_SECRET_HEADER]: ROUTER_SECRET };
      const direct = await postGraphql(`${stack.subgraphUrls.audit}/graphql`, { query: '{ auditEvents { totalCount } }' }, asRouter);
      expect(codeOf(direct.body)).toBe('UNAUTHENTICATED');
      expect((await fetch(`${stack.subgraphUrls.audit}/audit/export?format=ndjson`, { headers: asRouter })).status).toBe(401);
    });

    it('cannot be a tenant: no row may have its id, and switching to it is an unknown tenant', async () => {
      await expect(
        admin().query(`INSERT INTO identity.tenants (id, slug, name) VALUES ($1, 'platform-origin', 'Platform')`, [PLATFORM_TENANT_ID]),
      ).rejects.toThrow(/tenants_not_platform_origin|violates/);
      const switched = await gql('mutation ($t: ID!) { switchTenant(tenantId: $t) { accessToken } }', { t: PLATFORM_TENANT_ID }, owner.accessToken);
      const unknown = await gql('mutation ($t: ID!) { switchTenant(tenantId: $t) { accessToken } }', { t: '0b8a4f0e-8d1f-4f43-9f0c-5a8d0f2e9b02' }, owner.accessToken);
      expect(codeOf(switched)).toBe(codeOf(unknown));
      expect(switched.errors?.[0]?.message).toBe(unknown.errors?.[0]?.message);
    });
  });
});
