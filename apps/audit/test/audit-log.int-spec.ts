import 'reflect-metadata';
import { createPublicKey, randomUUID } from 'node:crypto';
import { generateSigningKey } from '@compliance-graph/auth';
import type { RunningSubgraph } from '@compliance-graph/runtime';
import { admin, closeAdmin, executeOnSubgraph, migrateForTests, principal, testDatabaseEnv } from '@compliance-graph/testing';
import { AUDIT_SCHEMA, auditMigrations, loadAuditConfig, startAuditService } from '../src';
import { USER_AGENT_MAX_LENGTH, auditRecordSchema, leafHash, leafHashOf, verifyCheckpoint, verifyConsistency, verifyInclusion } from '@compliance-graph/audit-log';

const SERVICE_TOKEN = 'internal-service-token-for-audit-tests-0123456789';
/** Another producer's credential: valid, but not identity's. */
const EVIDENCE_TOKEN = 'evidence-ingest-token-for-audit-tests-0123456789';
const ROUTER_SECRET = 'router-secret-for-audit-tests-0123456789abc';

/** The audit log on a real database: ingest over HTTP, reads and proofs through the schema. */
describe('audit log', () => {
  let audit: RunningSubgraph<unknown>;
  let checkpointKey: Awaited<ReturnType<typeof generateSigningKey>>;

  beforeAll(async () => {
    await migrateForTests({ schema: AUDIT_SCHEMA, migrations: auditMigrations });
    checkpointKey = await generateSigningKey();
    audit = (await startAuditService(
      loadAuditConfig({
        PORT: '0',
        LOG_LEVEL: 'error',
        ...testDatabaseEnv(AUDIT_SCHEMA),
        ROUTER_SECRET,
        IDENTITY_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
        AUDIT_SIGNING_KEYS: JSON.stringify([checkpointKey]),
        INGEST_CREDENTIALS: JSON.stringify({ identity: SERVICE_TOKEN, evidence: EVIDENCE_TOKEN }),
        AUDIT_CHECKPOINT_INTERVAL_SECONDS: '1',
      }),
    )) as RunningSubgraph<unknown>;
  });
  afterAll(async () => {
    await audit.stop();
    await closeAdmin();
  });

  const record = (tenantId: string, overrides: Record<string, unknown> = {}) => ({
    id: randomUUID(),
    tenantId,
    occurredAt: new Date().toISOString(),
    action: 'membership.revoked',
    actorKind: 'USER',
    actorId: randomUUID(),
    subjectType: 'Membership',
    subjectId: randomUUID(),
    service: 'identity',
    ip: '203.0.113.9',
    userAgent: 'jest',
    reason: 'left the company',
    data: { role: 'MEMBER', nested: { b: 2, a: [1, 'x'] } },
    ...overrides,
  });
  const ingest = (records: unknown[], token = SERVICE_TOKEN) =>
    fetch(`${audit.url}/internal/audit/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ topic: 'audit', messages: records.map((payload) => ({ id: (payload as { id: string }).id, payload })) }),
    });
  const asReader = (tenantId: string) => ({ principal: principal(tenantId, 'AUDITOR') });
  const query = async (tenantId: string, document: string, variables: Record<string, unknown> = {}) =>
    executeOnSubgraph(audit, document, variables, asReader(tenantId));
  const verify = async (tenantId: string) => (await query(tenantId, '{ verifyAuditLog { ok eventsChecked treeSize firstInvalidSeq } }')).data!.verifyAuditLog;

  it('appends records with contiguous seqs and is idempotent by event id', async () => {
    const tenant = randomUUID();
    const records = [record(tenant), record(tenant), record(tenant)];
    expect(await (await ingest(records)).json()).toEqual({ appended: 3, duplicates: 0 });
    expect(await (await ingest([records[1], record(tenant)])).json()).toEqual({ appended: 1, duplicates: 1 });
    const events = (await query(tenant, '{ auditEvents { totalCount nodes { id seq action leafHash data } } }')).data!.auditEvents;
    expect(events.totalCount).toBe(4);
    expect(events.nodes.map((e: { seq: number }) => e.seq)).toEqual([0, 1, 2, 3]);
    expect(events.nodes[0]).toMatchObject({ id: records[0].id, action: 'membership.revoked', data: records[0].data });
    expect(await verify(tenant)).toEqual({ ok: true, eventsChecked: 4, treeSize: 4, firstInvalidSeq: null });
  });

  it('refuses a delivery without the service credential, and malformed records, appending nothing', async () => {
    const tenant = randomUUID();
    expect((await ingest([record(tenant)], 'wrong-token-wrong-token-wrong-token')).status).toBe(401);
    const bad = await ingest([record(tenant), record(tenant, { occurredAt: '2026-11-27T10:00:00Z' })]);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('BAD_USER_INPUT');
    expect((await query(tenant, '{ auditEvents { totalCount } }')).data!.auditEvents.totalCount).toBe(0);
  });

  it('refuses with 400 every record the producers’ own schema refuses: NUL, unpaired surrogates, an over-long user agent', async () => {
    const tenant = randomUUID();
    const unstorable = [
      record(tenant, { reason: 'left\u0000' }),
      record(tenant, { data: { email: 'a\u0000@example.test' } }),
      record(tenant, { data: { ['key\ud800']: 1 } }),
      record(tenant, { userAgent: 'x'.repeat(USER_AGENT_MAX_LENGTH + 1) }),
    ];
    for (const refused of unstorable) {
      expect(auditRecordSchema.safeParse(refused).success).toBe(false);
      const answer = await ingest([refused]);
      expect(answer.status).toBe(400);
      expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('BAD_USER_INPUT');
    }
    expect(auditRecordSchema.safeParse(record(tenant, { userAgent: 'x'.repeat(USER_AGENT_MAX_LENGTH) })).success).toBe(true);
    expect((await query(tenant, '{ auditEvents { totalCount } }')).data!.auditEvents.totalCount).toBe(0);
  });

  it('hashes each leaf over the canonical export record, so anyone can recompute it', async () => {
    const tenant = randomUUID();
    const sent = record(tenant, { data: { z: 1, a: { y: true, b: null } } });
    await ingest([sent]);
    const [event] = (await query(tenant, '{ auditEvents { nodes { id seq occurredAt recordedAt leafHash } } }')).data!.auditEvents.nodes;
    // In process the DateTime scalar is still a Date; over HTTP it is this ISO text.
    const recordedAt = new Date(event.recordedAt).toISOString();
    const canonical =
      `{"action":"membership.revoked","actorId":"${sent.actorId}","actorKind":"USER","data":{"a":{"b":null,"y":true},"z":1},` +
      `"id":"${sent.id}","ip":"203.0.113.9","occurredAt":"${sent.occurredAt}","reason":"left the company","recordedAt":"${recordedAt}",` +
      `"seq":0,"service":"identity","subjectId":"${sent.subjectId}","subjectType":"Membership","tenantId":"${tenant}","userAgent":"jest"}`;
    expect(event.leafHash).toBe(leafHash(Buffer.from(canonical, 'utf8')).toString('hex'));
  });

  it('signs checkpoints and serves inclusion and consistency proofs that verify', async () => {
    const tenant = randomUUID();
    const records = Array.from({ length: 13 }, () => record(tenant));
    await ingest(records.slice(0, 5));
    const early = (await query(tenant, '{ auditCheckpoint { treeSize rootHash body signature keyId origin } }')).data!.auditCheckpoint;
    await ingest(records.slice(5));
    const latest = (await query(tenant, '{ auditCheckpoint { treeSize rootHash body signature keyId origin } }')).data!.auditCheckpoint;
    const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: checkpointKey.x }, format: 'jwk' });
    expect(latest).toMatchObject({ treeSize: 13, keyId: checkpointKey.kid, origin: `compliance-graph/audit/${tenant}` });
    expect(verifyCheckpoint({ body: latest.body, signature: latest.signature }, publicKey)?.treeSize).toBe(13);
    expect(verifyCheckpoint({ body: latest.body.replace('\n13\n', '\n12\n'), signature: latest.signature }, publicKey)).toBeUndefined();

    const proof = (
      await query(tenant, 'query ($id: ID!) { auditInclusionProof(eventId: $id) { leafIndex treeSize leafHash auditPath checkpoint { rootHash } } }', {
        id: records[6].id,
      })
    ).data!.auditInclusionProof;
    const hex = (values: string[]) => values.map((v) => Buffer.from(v, 'hex'));
    expect(proof.leafIndex).toBe(6);
    expect(verifyInclusion(Buffer.from(proof.leafHash, 'hex'), 6, 13, hex(proof.auditPath), Buffer.from(proof.checkpoint.rootHash, 'hex'))).toBe(true);

    const consistency = (await query(tenant, '{ auditConsistencyProof(fromSize: 5, toSize: 13) { path } }')).data!.auditConsistencyProof;
    expect(verifyConsistency(5, 13, Buffer.from(early.rootHash, 'hex'), Buffer.from(latest.rootHash, 'hex'), hex(consistency.path))).toBe(true);

    const tooBig = await query(tenant, '{ auditCheckpoint(treeSize: 14) { treeSize } }');
    expect(tooBig.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('answers many concurrent requests for a checkpoint not yet signed, all with the one stored checkpoint', async () => {
    // The race is a matter of timing: several logs, each asked from many requests at once.
    for (let round = 0; round < 10; round++) {
      const tenant = randomUUID();
      await ingest(Array.from({ length: 3 }, () => record(tenant)));
      const answers = await Promise.all(Array.from({ length: 8 }, () => query(tenant, '{ auditCheckpoint { treeSize issuedAt signature } }')));
      expect(answers.flatMap((answer) => answer.errors ?? [])).toEqual([]);
      expect(new Set(answers.map((answer) => JSON.stringify(answer.data!.auditCheckpoint))).size).toBe(1);
      const { rows } = await admin().query('SELECT count(*)::int AS n FROM audit.checkpoints WHERE tenant_id = $1 AND tree_size = 3', [tenant]);
      expect(rows).toEqual([{ n: 1 }]);
    }
  });

  it('signs a checkpoint for a grown log without being asked', async () => {
    const tenant = randomUUID();
    await ingest([record(tenant), record(tenant), record(tenant)]);
    let rows: Array<{ tree_size: string; body: string; signature: string }> = [];
    for (const deadline = Date.now() + 5000; rows.length === 0 && Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
      rows = (await admin().query(`SELECT tree_size, body, signature FROM audit.checkpoints WHERE tenant_id = $1`, [tenant])).rows;
    }
    expect(rows.map((row) => Number(row.tree_size))).toEqual([3]);
    const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: checkpointKey.x }, format: 'jwk' });
    expect(verifyCheckpoint({ body: rows[0].body, signature: rows[0].signature }, publicKey)?.treeSize).toBe(3);
  });

  it('keeps 16 concurrent writers to one hot tenant and others contiguous and verifiable', async () => {
    const hot = randomUUID();
    const others = Array.from({ length: 8 }, () => randomUUID());
    await Promise.all([
      ...Array.from({ length: 8 }, () => (async () => { for (let i = 0; i < 10; i++) await ingest([record(hot), record(hot)]); })()),
      ...others.map((tenant) => (async () => { for (let i = 0; i < 10; i++) await ingest([record(tenant)]); })()),
    ]);
    expect(await verify(hot)).toEqual({ ok: true, eventsChecked: 160, treeSize: 160, firstInvalidSeq: null });
    for (const tenant of others) expect(await verify(tenant)).toMatchObject({ ok: true, treeSize: 10 });
  });

  it('verifies a log that grows while it is being verified, as of one tree size', async () => {
    const tenant = randomUUID();
    // More than two pages of the recomputation (2,000 events each), so appends land between pages.
    for (let i = 0; i < 5; i++) await ingest(Array.from({ length: 1000 }, () => record(tenant)));
    let verifying = true;
    let appendedMeanwhile = 0;
    const writer = async () => {
      while (verifying) {
        await ingest([record(tenant), record(tenant)]);
        appendedMeanwhile += 2;
      }
    };
    const writers = [writer(), writer()];
    await new Promise((resolve) => setTimeout(resolve, 50));
    const result = await verify(tenant).finally(() => (verifying = false));
    await Promise.all(writers);
    expect(appendedMeanwhile).toBeGreaterThan(0);
    expect(result).toMatchObject({ ok: true, firstInvalidSeq: null });
    expect(result.eventsChecked).toBe(result.treeSize);
    expect(result.treeSize).toBeGreaterThanOrEqual(5_000);
    expect(await verify(tenant)).toEqual({ ok: true, eventsChecked: 5_000 + appendedMeanwhile, treeSize: 5_000 + appendedMeanwhile, firstInvalidSeq: null });
  });

  it("refuses a batch holding another service's records with that producer's credential, and appends nothing", async () => {
    const tenant = randomUUID();
    const forged = await ingest([record(tenant, { service: 'evidence' }), record(tenant)], EVIDENCE_TOKEN);
    expect(forged.status).toBe(403);
    expect(await forged.json()).toEqual({ error: { code: 'FORBIDDEN', message: 'This credential may send only records of service "evidence"' } });
    expect(await verify(tenant)).toMatchObject({ treeSize: 0 });
    expect(await (await ingest([record(tenant, { service: 'evidence' })], EVIDENCE_TOKEN)).json()).toEqual({ appended: 1, duplicates: 0 });
    expect((await ingest([record(tenant)], 'not-a-credential-of-any-producer-0123456789')).status).toBe(401);
  });

  it('lets a verification asked for while one runs join it, so aliases cannot multiply the work', async () => {
    const tenant = randomUUID();
    for (let i = 0; i < 5; i++) await ingest(Array.from({ length: 1000 }, () => record(tenant)));
    let firstDone = false;
    const first = verify(tenant).finally(() => (firstDone = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await ingest([record(tenant), record(tenant)]);
    expect(firstDone).toBe(false);
    const aliased = (await query(tenant, '{ a: verifyAuditLog { treeSize } b: verifyAuditLog { treeSize } }')).data!;
    expect(aliased).toEqual({ a: { treeSize: 5_000 }, b: { treeSize: 5_000 } });
    expect(await first).toMatchObject({ ok: true, treeSize: 5_000 });
    expect(await verify(tenant)).toMatchObject({ ok: true, treeSize: 5_002 });
  });

  it('is append-only for every role: no UPDATE, DELETE or TRUNCATE', async () => {
    const tenant = randomUUID();
    await ingest([record(tenant)]);
    for (const role of ['audit_app', 'audit_worker', 'audit_owner']) {
      for (const statement of [
        `UPDATE audit.events SET reason = 'rewritten' WHERE tenant_id = '${tenant}'`,
        `DELETE FROM audit.events WHERE tenant_id = '${tenant}'`,
        `DELETE FROM audit.tree_nodes WHERE tenant_id = '${tenant}'`,
        'TRUNCATE audit.events',
      ]) {
        const client = await admin().connect();
        try {
          await client.query('BEGIN');
          await client.query(`SET LOCAL ROLE ${role}`);
          await client.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenant]);
          await expect(client.query(statement)).rejects.toThrow(/permission denied|append-only/);
        } finally {
          await client.query('ROLLBACK');
          client.release();
        }
      }
    }
    expect(await verify(tenant)).toMatchObject({ ok: true, treeSize: 1 });
  });

  describe('tamper detection (as the owner, triggers disabled)', () => {
    /** Runs `statements` as the table owner with the append-only triggers off, as an attacker with the database would. */
    async function tamper(tenant: string, statements: string[]): Promise<void> {
      const client = await admin().connect();
      try {
        await client.query('BEGIN');
        for (const table of ['events', 'tree_nodes']) await client.query(`ALTER TABLE audit.${table} DISABLE TRIGGER USER`);
        await client.query('SET LOCAL ROLE audit_owner');
        await client.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenant]);
        for (const statement of statements) await client.query(statement);
        await client.query('RESET ROLE');
        for (const table of ['events', 'tree_nodes']) await client.query(`ALTER TABLE audit.${table} ENABLE TRIGGER USER`);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      } finally {
        client.release();
      }
    }
    async function tenantWith(count: number): Promise<string> {
      const tenant = randomUUID();
      await ingest(Array.from({ length: count }, () => record(tenant)));
      return tenant;
    }

    it.each([
      ['an edited record', (t: string) => [`UPDATE audit.events SET reason = 'nothing happened' WHERE tenant_id = '${t}' AND seq = 3`], 3],
      ['an edited record with its leaf hash recomputed', (t: string) => [`UPDATE audit.events SET data = '{"x":1}', leaf_hash = sha256('x') WHERE tenant_id = '${t}' AND seq = 4`], 4],
      ['a deleted record', (t: string) => [`DELETE FROM audit.events WHERE tenant_id = '${t}' AND seq = 2`], 2],
      ['two records swapped', (t: string) => [
        `UPDATE audit.events SET seq = 1000 WHERE tenant_id = '${t}' AND seq = 1`,
        `UPDATE audit.events SET seq = 1 WHERE tenant_id = '${t}' AND seq = 5`,
        `UPDATE audit.events SET seq = 5 WHERE tenant_id = '${t}' AND seq = 1000`,
      ], 1],
      ['a truncated tail', (t: string) => [`DELETE FROM audit.events WHERE tenant_id = '${t}' AND seq >= 6`], 6],
    ])('reports %s at the right seq', async (_label, statements, seq) => {
      const tenant = await tenantWith(8);
      await tamper(tenant, statements(tenant));
      expect(await verify(tenant)).toMatchObject({ ok: false, firstInvalidSeq: seq });
    });

    it('reports an inserted record', async () => {
      const tenant = await tenantWith(4);
      await tamper(tenant, [
        `INSERT INTO audit.events SELECT tenant_id, 4, gen_random_uuid(), occurred_at, recorded_at, 'tenant.deleted', actor_kind, actor_id,
                subject_type, subject_id, service, ip, user_agent, reason, data, leaf_hash FROM audit.events WHERE tenant_id = '${tenant}' AND seq = 3`,
      ]);
      expect(await verify(tenant)).toMatchObject({ ok: false, firstInvalidSeq: 4 });
    });

    it('reports a record rewritten with its leaf hash and stored leaf through the checkpoint signed before', async () => {
      const tenant = await tenantWith(8);
      for (const size of [3, 8]) await query(tenant, 'query ($s: Int!) { auditCheckpoint(treeSize: $s) { treeSize } }', { s: size });
      const { rows } = await admin().query(`SELECT * FROM audit.events WHERE tenant_id = $1 AND seq = 5`, [tenant]);
      const [row] = rows;
      // The export record of the rewritten event, hashed as the contract says: every check on the leaf itself passes.
      const forged = leafHashOf({
        id: row.id,
        tenantId: tenant,
        seq: 5,
        occurredAt: row.occurred_at.toISOString(),
        recordedAt: row.recorded_at.toISOString(),
        action: row.action,
        actorKind: row.actor_kind,
        actorId: row.actor_id,
        subjectType: row.subject_type,
        subjectId: row.subject_id,
        service: row.service,
        ip: row.ip,
        userAgent: row.user_agent,
        reason: 'nothing happened',
        data: row.data,
      }).toString('hex');
      await tamper(tenant, [
        `UPDATE audit.events SET reason = 'nothing happened', leaf_hash = '\\x${forged}' WHERE tenant_id = '${tenant}' AND seq = 5`,
        `UPDATE audit.tree_nodes SET hash = '\\x${forged}' WHERE tenant_id = '${tenant}' AND level = 0 AND index = 5`,
      ]);
      // The root signed at size 3 still matches; the one signed at 8 does not: somewhere below seq 8.
      expect(await verify(tenant)).toMatchObject({ ok: false, eventsChecked: 8, firstInvalidSeq: 7 });
    });
  });

  it('does not show one tenant another tenant’s events', async () => {
    const mine = randomUUID();
    const theirs = randomUUID();
    const theirRecord = record(theirs);
    await ingest([record(mine), theirRecord]);
    expect((await query(mine, '{ auditEvents { totalCount } }')).data!.auditEvents.totalCount).toBe(1);
    expect((await query(mine, 'query ($id: ID!) { auditEvent(id: $id) { id } }', { id: theirRecord.id })).data!.auditEvent).toBeNull();
    const member = await executeOnSubgraph(audit, '{ auditEvents { totalCount } }', {}, { principal: principal(mine, 'MEMBER') });
    expect(member.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});
