import { randomUUID } from 'node:crypto';
import { closeAdmin, executeOnSubgraph, principal } from '@compliance-graph/testing';
import type { Principal } from '@compliance-graph/auth';
import type { RunningSubprocessors } from '@compliance-graph/stack';
import { joinTenant, signUp, type AuthPayload } from './accounts';
import { graphqlClient } from './graphql-client';
import { startStack, type Stack } from './stack';
import { ANNOUNCE, CANCEL, CHANGE, OBJECT, REGISTER, entry, tenantRows } from './subprocessors';

const DAY = 86_400_000;
const SECOND = 1000;

/**
 * The register's rules at their boundaries, on a subprocessors instance whose clock the test
 * sets (the service's injectable clock), with the real identity service behind its directory
 * and the real database: notice, objection window, one announced change per entry, asOf,
 * validation that changes nothing, and races against every limit.
 */
describe('subprocessors: register rules at their boundaries', () => {
  let stack: Stack;
  let gql: ReturnType<typeof graphqlClient>;
  let instance: RunningSubprocessors;
  // The test's time: moved forward only, from the real now, so the stack's own instance
  // (on the real clock) never finds a change of these tests due before this one does.
  let now = new Date(Math.floor(Date.now() / 1000) * 1000 + 60 * SECOND);
  const at = (offsetMs: number) => new Date(now.getTime() + offsetMs);

  // In process the answer holds Dates and JSON objects as resolved: serialise it as HTTP would.
  const run = async (who: Principal, query: string, variables: Record<string, unknown> = {}) =>
    JSON.parse(JSON.stringify(await executeOnSubgraph(instance, query, variables, { principal: who }))) as { data?: Record<string, any> | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
  const ok = async (who: Principal, query: string, variables: Record<string, unknown> = {}) => {
    const answer = await run(who, query, variables);
    expect(answer.errors).toBeUndefined();
    return answer.data as any;
  };
  const refusal = async (who: Principal, query: string, variables: Record<string, unknown>) => {
    const answer = await run(who, query, variables);
    expect(answer.data?.[Object.keys(answer.data ?? {})[0]] ?? null).toBeNull();
    return { code: answer.errors?.[0]?.extensions?.code, message: answer.errors?.[0]?.message ?? '' };
  };

  /** A fresh tenant with the given notice period, and principals for its OWNER and a PARTNER member. */
  const tenantWithNotice = async (days: number | null) => {
    const owner: AuthPayload = await signUp(gql, 'Register');
    if (days !== null) {
      const set = await gql('mutation ($d: Int!) { updateTenantSettings(input: { subprocessorNoticeDays: $d }) { subprocessorNoticeDays } }', { d: days }, owner.accessToken);
      expect(set.errors).toBeUndefined();
    }
    const partner = await joinTenant(gql, owner.accessToken, 'PARTNER');
    return {
      tenantId: owner.tenant.id,
      owner: principal(owner.tenant.id, 'OWNER', { subjectId: owner.user.id }),
      partner: principal(owner.tenant.id, 'PARTNER', { subjectId: partner.user.id }),
      ownerToken: owner.accessToken,
    };
  };
  const added = (effectiveAt: Date, fields: Record<string, unknown> = {}, objectionDeadline?: Date) => ({
    input: { kind: 'ADDED', entry: entry(fields), effectiveAt: effectiveAt.toISOString(), ...(objectionDeadline ? { objectionDeadline: objectionDeadline.toISOString() } : {}) },
  });

  beforeAll(async () => {
    stack = await startStack();
    gql = graphqlClient(stack.gatewayUrl);
    // No scheduler on the test's clock: it would make other specs' changes effective early.
    instance = await stack.startSubprocessorsInstance({ clock: () => now, env: { CHANGE_SCHEDULER_INTERVAL_MS: '0' } });
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
    await closeAdmin();
  });

  describe('notice period', () => {
    it('accepts exactly the notice period and refuses one second less, changing nothing', async () => {
      const tenant = await tenantWithNotice(null);
      const before = await tenantRows(tenant.tenantId);
      const early = await refusal(tenant.owner, ANNOUNCE, added(at(30 * DAY - SECOND)));
      expect(early.code).toBe('BAD_USER_INPUT');
      expect(early.message).toContain('input.effectiveAt');
      expect(early.message).toContain('30 days');
      expect(await tenantRows(tenant.tenantId)).toEqual(before);

      const change = (await ok(tenant.owner, ANNOUNCE, added(at(30 * DAY)))).announceSubprocessorChange;
      expect(change).toMatchObject({
        kind: 'ADDED',
        status: 'ANNOUNCED',
        before: null,
        announcedAt: now.toISOString(),
        effectiveAt: at(30 * DAY).toISOString(),
        objectionDeadline: at(30 * DAY).toISOString(),
        subprocessor: { status: 'PLANNED', activeFrom: at(30 * DAY).toISOString(), activeUntil: null },
      });
      expect(change.after).toEqual(entry());
      // The register does not hold it before its effectiveAt.
      expect((await ok(tenant.owner, REGISTER)).subprocessors).toEqual([]);
      expect((await ok(tenant.owner, REGISTER, { asOf: at(30 * DAY).toISOString() })).subprocessors.map((s: any) => s.id)).toEqual([change.subprocessor.id]);
    });

    it('with a notice of 0, applies a change effective now at once, with both events', async () => {
      const tenant = await tenantWithNotice(0);
      const change = (await ok(tenant.owner, ANNOUNCE, added(at(-2 * SECOND)))).announceSubprocessorChange;
      expect(change).toMatchObject({ status: 'EFFECTIVE', announcedAt: now.toISOString(), effectiveAt: now.toISOString(), objectionDeadline: now.toISOString() });
      expect((await ok(tenant.owner, REGISTER)).subprocessors).toMatchObject([{ id: change.subprocessor.id, status: 'ACTIVE', activeFrom: now.toISOString() }]);
      const rows = await tenantRows(tenant.tenantId);
      expect(rows.audit).toEqual(['subprocessor.change_announced', 'subprocessor.change_effective']);
      expect(rows.events).toEqual(['subprocessor.change_announced', 'subprocessor.change_effective']);
      // More than a few minutes in the past is not "now": nothing is back-dated.
      const late = await refusal(tenant.owner, ANNOUNCE, added(at(-6 * 60 * SECOND)));
      expect(late.code).toBe('BAD_USER_INPUT');
    });
  });

  describe('objection deadline', () => {
    it('lies between announcement + 14 days and effectiveAt when the notice is longer', async () => {
      const tenant = await tenantWithNotice(null);
      const before = await tenantRows(tenant.tenantId);
      for (const deadline of [at(14 * DAY - SECOND), at(30 * DAY + SECOND), at(0)]) {
        const refused = await refusal(tenant.owner, ANNOUNCE, added(at(30 * DAY), {}, deadline));
        expect(refused.code).toBe('BAD_USER_INPUT');
        expect(refused.message).toContain('input.objectionDeadline');
      }
      expect(await tenantRows(tenant.tenantId)).toEqual(before);
      const earliest = (await ok(tenant.owner, ANNOUNCE, added(at(30 * DAY), {}, at(14 * DAY)))).announceSubprocessorChange;
      expect(earliest.objectionDeadline).toBe(at(14 * DAY).toISOString());
      const latest = (await ok(tenant.owner, ANNOUNCE, added(at(30 * DAY), {}, at(30 * DAY)))).announceSubprocessorChange;
      expect(latest.objectionDeadline).toBe(at(30 * DAY).toISOString());
    });

    it('is effectiveAt itself when the change takes effect within 14 days', async () => {
      const tenant = await tenantWithNotice(10);
      const early = await refusal(tenant.owner, ANNOUNCE, added(at(10 * DAY), {}, at(10 * DAY - SECOND)));
      expect(early.code).toBe('BAD_USER_INPUT');
      const exact = (await ok(tenant.owner, ANNOUNCE, added(at(10 * DAY), {}, at(10 * DAY)))).announceSubprocessorChange;
      expect(exact.objectionDeadline).toBe(at(10 * DAY).toISOString());
    });
  });

  it('keeps asOf to the change history at every boundary: ADDED, UPDATED, REMOVED of one entry, and a cancelled change', async () => {
    const tenant = await tenantWithNotice(0);
    const start = now;
    const t = (days: number, ms = 0) => new Date(start.getTime() + days * DAY + ms).toISOString();
    const a = (await ok(tenant.owner, ANNOUNCE, added(at(1 * DAY), { name: 'Alpha Hosting' }))).announceSubprocessorChange;
    const b = (await ok(tenant.owner, ANNOUNCE, added(at(1 * DAY), { name: 'Beta Mail' }))).announceSubprocessorChange;
    const aId = a.subprocessor.id;
    // One announced change per entry: the next waits until the first is effective.
    const early = await refusal(tenant.owner, ANNOUNCE, { input: { kind: 'UPDATED', subprocessorId: aId, entry: entry({ name: 'Alpha Hosting' }), effectiveAt: t(3) } });
    expect(early.code).toBe('CONFLICT');

    now = new Date(start.getTime() + 1 * DAY);
    const updated = (
      await ok(tenant.owner, ANNOUNCE, { input: { kind: 'UPDATED', subprocessorId: aId, entry: entry({ name: 'Alpha Hosting', locations: ['DE', 'fr'] }), effectiveAt: t(2) } })
    ).announceSubprocessorChange;
    expect(updated.before).toEqual(entry({ name: 'Alpha Hosting' }));
    expect(updated.after).toEqual(entry({ name: 'Alpha Hosting', locations: ['DE', 'FR'] }));
    const cancelled = (
      await ok(tenant.owner, ANNOUNCE, { input: { kind: 'UPDATED', subprocessorId: b.subprocessor.id, entry: entry({ name: 'Beta Mail', purpose: 'newsletters' }), effectiveAt: t(2) } })
    ).announceSubprocessorChange;
    expect((await ok(tenant.owner, CANCEL, { id: cancelled.id, reason: 'postponed' })).cancelSubprocessorChange).toMatchObject({ status: 'CANCELLED' });

    now = new Date(start.getTime() + 2 * DAY);
    const removed = (await ok(tenant.owner, ANNOUNCE, { input: { kind: 'REMOVED', subprocessorId: aId, effectiveAt: t(3) } })).announceSubprocessorChange;
    expect(removed).toMatchObject({ before: entry({ name: 'Alpha Hosting', locations: ['DE', 'FR'] }), after: null });

    const registerAt = async (iso: string) =>
      (await ok(tenant.owner, REGISTER, { asOf: iso })).subprocessors.map((s: any) => ({ name: s.name, locations: s.locations, purpose: s.purpose }));
    const alpha1 = { name: 'Alpha Hosting', locations: ['DE'], purpose: 'hosting' };
    const alpha2 = { ...alpha1, locations: ['DE', 'FR'] };
    const beta = { name: 'Beta Mail', locations: ['DE'], purpose: 'hosting' };
    expect(await registerAt(t(1, -1))).toEqual([]);
    expect(await registerAt(t(1))).toEqual([alpha1, beta]);
    expect(await registerAt(t(2, -1))).toEqual([alpha1, beta]);
    expect(await registerAt(t(2))).toEqual([alpha2, beta]);
    expect(await registerAt(t(3, -1))).toEqual([alpha2, beta]);
    expect(await registerAt(t(3))).toEqual([beta]);

    now = new Date(start.getTime() + 3 * DAY);
    const retired = (await ok(tenant.owner, `query ($id: ID!) { subprocessor(id: $id) { status name locations activeFrom activeUntil } }`, { id: aId })).subprocessor;
    expect(retired).toEqual({ status: 'RETIRED', name: 'Alpha Hosting', locations: ['DE', 'FR'], activeFrom: t(1), activeUntil: t(3) });
    const again = await refusal(tenant.owner, ANNOUNCE, { input: { kind: 'UPDATED', subprocessorId: aId, entry: entry(), effectiveAt: t(4) } });
    expect(again.code).toBe('CONFLICT');
  });

  it('refuses bad entries with BAD_USER_INPUT naming the field, and changes nothing', async () => {
    const tenant = await tenantWithNotice(0);
    const before = await tenantRows(tenant.tenantId);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ locations: ['XX'] }, 'locations[0]'],
      [{ locations: ['DE', 'DEU'] }, 'locations[1]'],
      [{ website: 'ftp://files.example.com' }, 'website'],
      [{ website: 'example.com/privacy' }, 'website'],
      [{ website: 'javascript:alert(1)' }, 'website'],
      [{ purpose: '   ' }, 'purpose'],
      [{ dataCategories: [] }, 'dataCategories'],
      [{ dataCategories: ['contact data', ''] }, 'dataCategories[1]'],
      [{ name: 'x'.repeat(201) }, 'name'],
      [{ name: 'Null\u0000Byte' }, 'name'],
      [{ legalEntity: 'y'.repeat(201) }, 'legalEntity'],
      [{ dataCategories: Array.from({ length: 51 }, (_, n) => `category ${n}`) }, 'dataCategories'],
    ];
    for (const [fields, field] of cases) {
      const refused = await refusal(tenant.owner, ANNOUNCE, added(now, fields));
      expect({ fields, code: refused.code }).toEqual({ fields, code: 'BAD_USER_INPUT' });
      expect(refused.message).toContain(field);
    }
    const shapes: Array<[Record<string, unknown>, string]> = [
      [{ kind: 'ADDED', effectiveAt: now.toISOString() }, 'input.entry'],
      [{ kind: 'ADDED', subprocessorId: randomUUID(), entry: entry(), effectiveAt: now.toISOString() }, 'input.subprocessorId'],
      [{ kind: 'UPDATED', entry: entry(), effectiveAt: now.toISOString() }, 'input.subprocessorId'],
      [{ kind: 'REMOVED', subprocessorId: 'not-a-uuid', effectiveAt: now.toISOString() }, 'input.subprocessorId'],
      [{ kind: 'REMOVED', subprocessorId: randomUUID(), entry: entry(), effectiveAt: now.toISOString() }, 'input.entry'],
    ];
    for (const [input, field] of shapes) {
      const refused = await refusal(tenant.owner, ANNOUNCE, { input });
      expect({ input, code: refused.code }).toEqual({ input, code: 'BAD_USER_INPUT' });
      expect(refused.message).toContain(field);
    }
    expect(await tenantRows(tenant.tenantId)).toEqual(before);
    // Another tenant's entry, or none: NOT_FOUND, nothing changes.
    const other = await tenantWithNotice(0);
    const theirs = (await ok(other.owner, ANNOUNCE, added(now))).announceSubprocessorChange;
    const foreign = await refusal(tenant.owner, ANNOUNCE, { input: { kind: 'REMOVED', subprocessorId: theirs.subprocessor.id, effectiveAt: now.toISOString() } });
    expect(foreign.code).toBe('NOT_FOUND');
    expect((await refusal(tenant.owner, CANCEL, { id: theirs.id, reason: 'mine now' })).code).toBe('NOT_FOUND');
    expect(await tenantRows(tenant.tenantId)).toEqual(before);
  });

  it('lets one of many parallel announcements for one entry through (the partial unique index), the rest CONFLICT', async () => {
    const tenant = await tenantWithNotice(0);
    const base = (await ok(tenant.owner, ANNOUNCE, added(now))).announceSubprocessorChange;
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, n) =>
        run(tenant.owner, ANNOUNCE, { input: { kind: 'UPDATED', subprocessorId: base.subprocessor.id, entry: entry({ purpose: `purpose ${n}` }), effectiveAt: at(DAY).toISOString() } }),
      ),
    );
    expect(answers.filter((a) => a.data?.announceSubprocessorChange).length).toBe(1);
    expect(answers.filter((a) => a.errors?.[0]?.extensions?.code === 'CONFLICT').length).toBe(7);
    const rows = await tenantRows(tenant.tenantId);
    expect(rows.audit.filter((action) => action === 'subprocessor.change_announced')).toHaveLength(2);
  });

  it('cancels an announced change once, with its reason; never an effective one', async () => {
    const tenant = await tenantWithNotice(0);
    const pending = (await ok(tenant.owner, ANNOUNCE, added(at(DAY)))).announceSubprocessorChange;
    expect((await refusal(tenant.owner, CANCEL, { id: pending.id, reason: ' ' })).code).toBe('BAD_USER_INPUT');
    expect((await refusal(tenant.owner, CANCEL, { id: 'nope', reason: 'x' })).code).toBe('BAD_USER_INPUT');
    const cancels = await Promise.all(Array.from({ length: 5 }, () => run(tenant.owner, CANCEL, { id: pending.id, reason: 'not needed' })));
    expect(cancels.filter((a) => a.data?.cancelSubprocessorChange?.status === 'CANCELLED').length).toBe(1);
    expect(cancels.filter((a) => a.errors?.[0]?.extensions?.code === 'CONFLICT').length).toBe(4);
    const effective = (await ok(tenant.owner, ANNOUNCE, added(now))).announceSubprocessorChange;
    expect((await refusal(tenant.owner, CANCEL, { id: effective.id, reason: 'too late' })).code).toBe('CONFLICT');
    const rows = await tenantRows(tenant.tenantId);
    expect(rows.audit.filter((action) => action === 'subprocessor.change_cancelled')).toHaveLength(1);
    expect(rows.events.filter((type) => type === 'subprocessor.change_cancelled')).toHaveLength(1);
    expect((await ok(tenant.owner, REGISTER, { asOf: at(2 * DAY).toISOString() })).subprocessors.map((s: any) => s.id)).toEqual([effective.subprocessor.id]);
  });

  it('takes objections until the deadline inclusive, one per partner (also in parallel), refused after it', async () => {
    const tenant = await tenantWithNotice(null);
    const change = (await ok(tenant.owner, ANNOUNCE, added(at(30 * DAY), {}, at(20 * DAY)))).announceSubprocessorChange;
    const objections = await Promise.all(Array.from({ length: 6 }, (_, n) => run(tenant.partner, OBJECT, { id: change.id, reason: `concern ${n}` })));
    expect(objections.filter((a) => a.data?.objectToSubprocessorChange).length).toBe(1);
    expect(objections.filter((a) => a.errors?.[0]?.extensions?.code === 'CONFLICT').length).toBe(5);
    expect(objections.find((a) => a.data?.objectToSubprocessorChange)!.data!.objectToSubprocessorChange).toMatchObject({ partnerName: 'PARTNER person', change: { id: change.id } });

    const winner = objections.find((a) => a.data?.objectToSubprocessorChange)!.data!.objectToSubprocessorChange.reason;

    const second = await joinTenant(gql, tenant.ownerToken, 'PARTNER');
    const secondPartner = principal(tenant.tenantId, 'PARTNER', { subjectId: second.user.id });
    const announcedAt = now;
    now = new Date(announcedAt.getTime() + 20 * DAY + 1);
    const late = await refusal(secondPartner, OBJECT, { id: change.id, reason: 'late' });
    expect(late.code).toBe('BAD_USER_INPUT');
    expect(late.message).toContain('deadline');
    now = new Date(announcedAt.getTime() + 20 * DAY);
    expect((await ok(secondPartner, OBJECT, { id: change.id, reason: 'just in time' })).objectToSubprocessorChange.reason).toBe('just in time');

    const staffView = (await ok(tenant.owner, CHANGE, {})).subprocessorChanges.find((c: any) => c.id === change.id);
    expect(staffView.objections.map((o: any) => o.reason).sort()).toEqual([winner, 'just in time'].sort());
    const partnerView = (await ok(secondPartner, CHANGE, {})).subprocessorChanges.find((c: any) => c.id === change.id);
    expect(partnerView.objections.map((o: any) => o.reason)).toEqual(['just in time']);
    const rows = await tenantRows(tenant.tenantId);
    expect(rows.audit.filter((action) => action === 'subprocessor.objection_filed')).toHaveLength(2);
  });
});
