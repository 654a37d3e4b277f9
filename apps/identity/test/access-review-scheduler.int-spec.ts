import type { DataSource } from 'typeorm';
import { openServicePool } from '@compliance-graph/db';
import { addMember, admin, closeAdmin, createTenant, migrateForTests, principal, testLoginUrls, type TestMember, type TestTenant } from '@compliance-graph/testing';
import { IDENTITY_SCHEMA, identityMigrations } from '../src';
import { identityEntities } from '../src/entities';
import { AccessReviewDefaultAction } from '../src/access-review/access-review-schedule.entity';
import { AccessReviewScheduleService, nextSlotAfter } from '../src/access-review/access-review-schedule.service';
import { AccessReviewDecision } from '../src/access-review/access-review-item.entity';
import { AccessReviewService } from '../src/access-review/access-review.service';

const DAY = 86_400_000;
const NO_CLIENT = { clientIp: null, userAgent: null };

/**
 * The access-review scheduler as the identity service runs it: the worker role finds what is
 * due, each start and default action runs in its tenant's transaction as the request role. A
 * "restart" is a new instance with pools of its own; two of them race the same due slot.
 */
describe('access-review scheduler', () => {
  const pools: DataSource[] = [];
  const open = async (role: 'app' | 'worker') => {
    const pool = await openServicePool({ databaseUrl: testLoginUrls(IDENTITY_SCHEMA)[role], variable: 'DATABASE_URL', schema: IDENTITY_SCHEMA, role, entities: identityEntities, poolSize: 2 });
    pools.push(pool);
    return pool;
  };
  /** One service instance: its request pool, its worker pool and its services, as startIdentityService wires them. */
  const instance = async () => {
    const db = await open('app');
    const reviews = new AccessReviewService(db);
    return { reviews, schedules: new AccessReviewScheduleService(db, reviews), workerDb: await open('worker') };
  };
  const as = (tenant: TestTenant, member: TestMember) => principal(tenant.tenantId, member.role, { subjectId: member.userId });
  const reviewsOf = async (tenantId: string) =>
    (await admin().query('SELECT id, status, created_by, scheduled_for, default_action, due_at, default_action_failure FROM identity.access_reviews WHERE tenant_id = $1', [tenantId])).rows;
  const auditActions = async (tenantId: string, action: string) =>
    (
      await admin().query(
        `SELECT payload FROM identity.outbox WHERE topic = 'audit' AND tenant_id = $1 AND payload->>'action' = $2 ORDER BY occurred_at`,
        [tenantId, action],
      )
    ).rows.map((row) => row.payload);

  beforeAll(async () => {
    await migrateForTests({ schema: IDENTITY_SCHEMA, migrations: identityMigrations });
  });
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.destroy()));
    await closeAdmin();
  });

  /** Time passes for one tenant's rows alone: other specs' tenants share the database and its schedulers. */
  const movedBack = async (table: 'access_review_schedules' | 'access_reviews', column: 'next_start_at' | 'due_at', tenantId: string, by: number) =>
    (await admin().query(`UPDATE identity.${table} SET ${column} = ${column} - $2 * interval '1 millisecond' WHERE tenant_id = $1 RETURNING ${column} AS at`, [tenantId, by])).rows[0].at as Date;

  it('starts a slot missed while no instance ran exactly once, when two restarted instances race it, and moves on to the next slot ahead', async () => {
    const tenant = await createTenant('Scheduled reviews');
    const setter = await addMember(tenant.tenantId, 'ADMIN');
    await addMember(tenant.tenantId, 'MEMBER');
    const before = await instance();
    const firstStartAt = new Date(Date.now() + 60_000);
    const schedule = await before.schedules.set(as(tenant, setter), NO_CLIENT, { intervalDays: 30, dueDays: 10, defaultAction: AccessReviewDefaultAction.NONE, firstStartAt });
    expect(schedule.nextStartAt).toEqual(firstStartAt);
    await before.schedules.runDue(before.workerDb);
    expect(await reviewsOf(tenant.tenantId)).toHaveLength(0);

    // The service was down for the first slot and the two after it; two instances come back at once.
    const slot = await movedBack('access_review_schedules', 'next_start_at', tenant.tenantId, 65 * DAY + 60_000);
    const [a, b] = await Promise.all([instance(), instance()]);
    await Promise.all([a.schedules.runDue(a.workerDb), b.schedules.runDue(b.workerDb)]);
    const reviews = await reviewsOf(tenant.tenantId);
    expect(reviews).toHaveLength(1);
    expect(reviews[0]).toMatchObject({ status: 'IN_PROGRESS', created_by: setter.userId, scheduled_for: slot, default_action: 'NONE' });
    expect(Math.abs(reviews[0].due_at.getTime() - (Date.now() + 10 * DAY))).toBeLessThan(60_000);
    const next = (await admin().query('SELECT next_start_at FROM identity.access_review_schedules WHERE tenant_id = $1', [tenant.tenantId])).rows[0].next_start_at;
    expect(next).toEqual(new Date(slot.getTime() + 90 * DAY));

    // The start is the system's act, on the setter's behalf, with the scope digest like any start.
    const started = await auditActions(tenant.tenantId, 'access_review.started');
    expect(started).toHaveLength(1);
    expect(started[0]).toMatchObject({ actorKind: 'SYSTEM', actorId: null, subjectId: reviews[0].id, data: { createdBy: setter.userId, items: 3, scheduledFor: slot.toISOString() } });
    expect(started[0].data.scopeDigest).toMatch(/^[0-9a-f]{64}$/);

    // Another pass finds nothing due.
    await a.schedules.runDue(a.workerDb);
    expect(await reviewsOf(tenant.tenantId)).toHaveLength(1);
  });

  it('completes a scheduled review at its due date when its default action says so, keeping what nobody decided', async () => {
    const tenant = await createTenant('Default action');
    const setter = await addMember(tenant.tenantId, 'ADMIN');
    const leaver = await addMember(tenant.tenantId, 'MEMBER');
    const { schedules, reviews, workerDb } = await instance();
    await schedules.set(as(tenant, setter), NO_CLIENT, { intervalDays: 7, dueDays: 3, defaultAction: AccessReviewDefaultAction.COMPLETE_KEEP_UNDECIDED, firstStartAt: new Date(Date.now() + 60_000) });
    await movedBack('access_review_schedules', 'next_start_at', tenant.tenantId, 61_000);
    await schedules.runDue(workerDb);
    const [review] = await reviewsOf(tenant.tenantId);
    const items = await reviews.items(as(tenant, tenant.owner), review.id, { first: 200 });
    const leaverItem = items.nodes.find((item) => item.membershipId === leaver.membershipId)!;
    await reviews.decide(as(tenant, tenant.owner), NO_CLIENT, leaverItem.id, AccessReviewDecision.REVOKE, 'left the company', null);

    // Not due yet: nothing happens; at the due date it completes, once, whoever races.
    await movedBack('access_reviews', 'due_at', tenant.tenantId, 3 * DAY - 60_000);
    await schedules.runDue(workerDb);
    expect((await reviewsOf(tenant.tenantId))[0].status).toBe('IN_PROGRESS');
    await movedBack('access_reviews', 'due_at', tenant.tenantId, 120_000);
    await Promise.all([schedules.runDue(workerDb), schedules.runDue(workerDb)]);
    expect((await reviewsOf(tenant.tenantId))[0]).toMatchObject({ id: review.id, status: 'COMPLETED' });
    const completed = await auditActions(tenant.tenantId, 'access_review.completed');
    expect(completed).toHaveLength(1);
    expect(completed[0]).toMatchObject({ actorKind: 'SYSTEM', data: { completedBy: setter.userId, counts: { total: 3, revoked: 1, pending: 2 } } });
    const membership = (await admin().query('SELECT revoked_at FROM identity.memberships WHERE id = $1', [leaver.membershipId])).rows[0];
    expect(membership.revoked_at).not.toBeNull();
    const report = (await admin().query(`SELECT payload FROM identity.outbox WHERE topic = 'access_review.completed' AND payload->>'reviewId' = $1`, [review.id])).rows;
    expect(report).toHaveLength(1);
    expect(report[0].payload.csv).toContain('kept (undecided)');
  });

  it('leaves a review open and says why, once, when its default action would remove the last OWNER', async () => {
    const tenant = await createTenant('Two owners');
    const second = await addMember(tenant.tenantId, 'OWNER');
    const { schedules, reviews, workerDb } = await instance();
    await schedules.set(as(tenant, tenant.owner), NO_CLIENT, { intervalDays: 7, dueDays: 1, defaultAction: AccessReviewDefaultAction.COMPLETE_KEEP_UNDECIDED, firstStartAt: new Date(Date.now() + 60_000) });
    await movedBack('access_review_schedules', 'next_start_at', tenant.tenantId, 61_000);
    await schedules.runDue(workerDb);
    const [review] = await reviewsOf(tenant.tenantId);
    const items = (await reviews.items(as(tenant, tenant.owner), review.id, { first: 200 })).nodes;
    const itemOf = (member: TestMember) => items.find((item) => item.membershipId === member.membershipId)!;
    await reviews.decide(as(tenant, tenant.owner), NO_CLIENT, itemOf(second).id, AccessReviewDecision.REVOKE, 'one owner is enough', null);
    await reviews.decide(as(tenant, second), NO_CLIENT, itemOf(tenant.owner).id, AccessReviewDecision.REVOKE, 'one owner is enough', null);

    await movedBack('access_reviews', 'due_at', tenant.tenantId, 2 * DAY);
    await schedules.runDue(workerDb);
    const open = (await reviewsOf(tenant.tenantId))[0];
    expect(open.status).toBe('IN_PROGRESS');
    expect(open.default_action_failure).toMatch(/OWNER/);
    const owners = (await admin().query(`SELECT count(*)::int AS n FROM identity.memberships WHERE tenant_id = $1 AND role = 'OWNER' AND revoked_at IS NULL`, [tenant.tenantId])).rows[0].n;
    expect(owners).toBe(2);
    expect(await auditActions(tenant.tenantId, 'access_review.default_action_failed')).toHaveLength(1);
    await schedules.runDue(workerDb);
    expect(await auditActions(tenant.tenantId, 'access_review.default_action_failed')).toHaveLength(1);
  });

  it('refuses schedules outside the rules and changes nothing', async () => {
    const tenant = await createTenant('Bad schedules');
    const { schedules } = await instance();
    const owner = as(tenant, tenant.owner);
    const base = { intervalDays: 30, dueDays: 10, defaultAction: AccessReviewDefaultAction.NONE };
    for (const input of [
      { ...base, intervalDays: 6 },
      { ...base, intervalDays: 367 },
      { ...base, dueDays: 0 },
      { ...base, dueDays: 31 },
      { ...base, firstStartAt: new Date(Date.now() - 60_000) },
      { ...base, firstStartAt: new Date(Date.now() + 367 * DAY) },
    ]) {
      await expect(schedules.set(owner, NO_CLIENT, input)).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    }
    expect(await schedules.get(owner)).toBeNull();
    expect(await auditActions(tenant.tenantId, 'access_review.scheduled')).toHaveLength(0);
  });

  it('computes the next slot on the cadence, never in the past', () => {
    const slot = new Date('2026-01-01T00:00:00Z');
    expect(nextSlotAfter(slot, 7, new Date('2026-01-01T00:00:00Z'))).toEqual(new Date('2026-01-08T00:00:00Z'));
    expect(nextSlotAfter(slot, 7, new Date('2026-01-08T00:00:00Z'))).toEqual(new Date('2026-01-15T00:00:00Z'));
    expect(nextSlotAfter(slot, 7, new Date('2026-01-20T12:00:00Z'))).toEqual(new Date('2026-01-22T00:00:00Z'));
  });
});
