import { randomUUID } from 'node:crypto';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { createDataSource, withTenant } from '@compliance-graph/db';
import { admin, closeAdmin, migrateForTests, testDatabaseUrl } from '@compliance-graph/testing';
import { auditMessage, createOutboxTable, enqueue, outboxTraceContextMigration } from '../src';

const SCHEMA = 'outbox_probe';

class OutboxProbe1764230400000 implements MigrationInterface {
  name = 'OutboxProbe1764230400000';
  up = (runner: QueryRunner) => createOutboxTable(runner, SCHEMA);
  down = async (runner: QueryRunner) => void (await runner.query(`DROP TABLE ${SCHEMA}.outbox`));
}

describe('outbox enqueue', () => {
  const tenantA = randomUUID();
  const tenantB = randomUUID();
  let app: DataSource;

  beforeAll(async () => {
    await migrateForTests({ schema: SCHEMA, migrations: [OutboxProbe1764230400000, outboxTraceContextMigration(SCHEMA)] });
    app = createDataSource({ databaseUrl: testDatabaseUrl(), schema: SCHEMA, role: 'app', poolSize: 2 });
    await app.initialize();
  });
  afterAll(async () => {
    await app.destroy();
    await closeAdmin();
  });

  const stored = async (id: string) =>
    (await admin().query(`SELECT id, topic, tenant_id, occurred_at, payload, delivered_at FROM ${SCHEMA}.outbox WHERE id = $1`, [id])).rows;

  it('stores an audit event in the message format of DESIGN.md, in the caller’s transaction', async () => {
    const message = auditMessage({
      tenantId: tenantA,
      action: 'membership.revoked',
      actorKind: 'USER',
      actorId: randomUUID(),
      subjectType: 'Membership',
      subjectId: randomUUID(),
      service: 'identity',
      ip: '203.0.113.9',
      reason: 'left the company',
      occurredAt: new Date('2026-11-27T10:15:30.123Z'),
    });
    await withTenant(app, tenantA, (tx) => enqueue(tx, SCHEMA, message));
    const [row] = await stored(message.id);
    expect(row).toMatchObject({ topic: 'audit', tenant_id: tenantA, delivered_at: null });
    expect(row.occurred_at.toISOString()).toBe('2026-11-27T10:15:30.123Z');
    expect(row.payload).toEqual({
      id: message.id,
      tenantId: tenantA,
      occurredAt: '2026-11-27T10:15:30.123Z',
      action: 'membership.revoked',
      actorKind: 'USER',
      actorId: message.payload.actorId,
      subjectType: 'Membership',
      subjectId: message.payload.subjectId,
      service: 'identity',
      ip: '203.0.113.9',
      userAgent: null,
      reason: 'left the company',
      data: {},
    });
  });

  it('normalises the user agent and client address it takes from headers: bounded, control characters gone, never refused', () => {
    const payload = (userAgent: string, ip: string) =>
      auditMessage({ tenantId: tenantA, action: 'user.login_failed', actorKind: 'SYSTEM', subjectType: 'Tenant', subjectId: tenantA, service: 'identity', userAgent, ip }).payload;
    expect(payload(`Mozilla ${'x'.repeat(5_000)}`, '203.0.113.9').userAgent).toBe(`Mozilla ${'x'.repeat(504)}`);
    expect(payload('Odd\u0000\t\u0085agent\ud800!', ' 203.0.113.9\r\n')).toMatchObject({ userAgent: 'Oddagent\ufffd!', ip: '203.0.113.9' });
    // A cut that would split a surrogate pair drops the whole pair.
    expect(payload(`${'x'.repeat(511)}\u{1F600}`, '203.0.113.9').userAgent).toBe('x'.repeat(511));
    expect(payload('\u0000\u0001', '\u0000')).toMatchObject({ userAgent: null, ip: null });
  });

  it('refuses, as BAD_USER_INPUT naming the field, a record the audit ingest would refuse', () => {
    const attempt = (overrides: Record<string, unknown>) => () =>
      auditMessage({ tenantId: tenantA, action: 'membership.revoked', actorKind: 'SYSTEM', subjectType: 'Membership', subjectId: tenantA, service: 'identity', ...overrides });
    expect(attempt({ reason: 'left\u0000' })).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }));
    expect(attempt({ reason: 'left\u0000' })).toThrow(/reason must not contain NUL characters/);
    expect(attempt({ data: { email: 'a\udc00' } })).toThrow(/data\.email must not contain unpaired UTF-16 surrogates/);
    expect(attempt({ reason: 'r'.repeat(2_001) })).toThrow(/reason/);
  });

  it('rolls back with the state change it describes', async () => {
    const message = auditMessage({ tenantId: tenantA, action: 'tenant.created', actorKind: 'SYSTEM', subjectType: 'Tenant', subjectId: tenantA, service: 'identity' });
    await expect(
      withTenant(app, tenantA, async (tx) => {
        await enqueue(tx, SCHEMA, message);
        throw new Error('the write failed after enqueueing');
      }),
    ).rejects.toThrow('the write failed');
    expect(await stored(message.id)).toEqual([]);
  });

  it("refuses a message for another tenant than the transaction's", async () => {
    const message = auditMessage({ tenantId: tenantB, action: 'tenant.created', actorKind: 'SYSTEM', subjectType: 'Tenant', subjectId: tenantB, service: 'identity' });
    await expect(withTenant(app, tenantA, (tx) => enqueue(tx, SCHEMA, message))).rejects.toThrow(/row-level security/);
    expect(await stored(message.id)).toEqual([]);
  });

  it('refuses an action that is not <domain>.<past-tense verb>', () => {
    expect(() =>
      auditMessage({ tenantId: tenantA, action: 'RevokeMembership', actorKind: 'USER', subjectType: 'Membership', subjectId: tenantA, service: 'identity' }),
    ).toThrow(/<domain>\.<verb>/);
  });
});
