import { randomUUID } from 'node:crypto';
import { ROUTER_SECRET_HEADER } from '@compliance-graph/auth';
import { admin, closeAdmin, postGraphql } from '@compliance-graph/testing';
import { joinTenant, signUp, type AuthPayload } from './accounts';
import { codeOf, graphqlClient } from './graphql-client';
import { ROUTER_SECRET, startStack, type Stack } from './stack';
import { ANNOUNCE, CANCEL, CHANGE, OBJECT, REGISTER, entry, tenantRows } from './subprocessors';

const DAY = 86_400_000;
const SCHEDULER_INTERVAL_MS = 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const iso = (ms: number) => new Date(ms).toISOString();

/** Waits until `check` answers something truthy (at most `timeoutMs`), and answers it. */
async function eventually<T>(check: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value || Date.now() > deadline) return value;
    await sleep(100);
  }
}

/** The register through the gateway, as its users reach it: staff, partners (members and API keys), and the scheduler that runs it. */
describe('subprocessors: the register through the gateway', () => {
  let stack: Stack;
  let gql: ReturnType<typeof graphqlClient>;
  let owner: AuthPayload;
  let manager: AuthPayload;
  let auditor: AuthPayload;
  let member: AuthPayload;
  let partner: AuthPayload;
  let partnerKey: string;
  let other: AuthPayload;

  const ok = async (query: string, variables: Record<string, unknown>, token: string) => {
    const answer = await gql(query, variables, token);
    expect(answer.errors).toBeUndefined();
    return answer.data;
  };
  const statusOf = async (changeId: string) => (await admin().query('SELECT status FROM subprocessors.changes WHERE id = $1', [changeId])).rows[0]?.status;
  const transitions = async (changeId: string) => {
    const { rows } = await admin().query(
      `SELECT topic, COALESCE(payload->>'action', payload->>'type') AS name FROM subprocessors.outbox
        WHERE payload->>'subjectId' = $1 OR payload->'change'->>'id' = $1 ORDER BY position`,
      [changeId],
    );
    return rows.map((row: { topic: string; name: string }) => `${row.topic} ${row.name}`);
  };

  beforeAll(async () => {
    stack = await startStack({ CHANGE_SCHEDULER_INTERVAL_MS: String(SCHEDULER_INTERVAL_MS), OUTBOX_POLL_INTERVAL_MS: '100' });
    gql = graphqlClient(stack.gatewayUrl);
    owner = await signUp(gql, 'Register');
    [manager, auditor, member, partner] = await Promise.all(['COMPLIANCE_MANAGER', 'AUDITOR', 'MEMBER', 'PARTNER'].map((role) => joinTenant(gql, owner.accessToken, role)));
    const key = await ok(
      'mutation ($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }',
      { i: { name: 'Acme partner feed', role: 'PARTNER', expiresAt: iso(Date.now() + 30 * DAY) } },
      owner.accessToken,
    );
    partnerKey = key.createApiKey.secret;
    other = await signUp(gql, 'Elsewhere');
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
    await closeAdmin();
  });

  it("announces with the tenant's notice period, to OWNER, ADMIN and COMPLIANCE_MANAGER only", async () => {
    const effectiveAt = iso(Date.now() + 31 * DAY);
    const before = await tenantRows(owner.tenant.id);
    for (const token of [auditor.accessToken, member.accessToken, partner.accessToken, partnerKey]) {
      expect(codeOf(await gql(ANNOUNCE, { input: { kind: 'ADDED', entry: entry(), effectiveAt } }, token))).toBe('FORBIDDEN');
    }
    expect(codeOf(await gql(ANNOUNCE, { input: { kind: 'ADDED', entry: entry(), effectiveAt: iso(Date.now() + 29 * DAY) } }, manager.accessToken))).toBe('BAD_USER_INPUT');
    expect(await tenantRows(owner.tenant.id)).toEqual(before);

    const change = (await ok(ANNOUNCE, { input: { kind: 'ADDED', entry: entry({ name: 'Announced Ltd' }), effectiveAt } }, manager.accessToken)).announceSubprocessorChange;
    expect(change).toMatchObject({ kind: 'ADDED', status: 'ANNOUNCED', effectiveAt, objectionDeadline: effectiveAt, subprocessor: { name: 'Announced Ltd', status: 'PLANNED' } });
    const seen = (await ok(CHANGE, { status: 'ANNOUNCED' }, partnerKey)).subprocessorChanges.map((c: { id: string }) => c.id);
    expect(seen).toContain(change.id);
    expect((await ok(CHANGE, { status: 'ANNOUNCED' }, other.accessToken)).subprocessorChanges).toEqual([]);
    // The announcement reaches the tenant's audit log through the outbox.
    const audited = await eventually(async () => {
      const events = (await ok('{ auditEvents(first: 200) { nodes { action subjectId actorId } } }', {}, owner.accessToken)).auditEvents.nodes;
      return events.find((e: { action: string; subjectId: string }) => e.action === 'subprocessor.change_announced' && e.subjectId === change.id);
    });
    expect(audited).toMatchObject({ actorId: manager.user.id });
    // The register event waits for the webhook fan-out: no consumer on this branch, so the relay
    // neither tries it nor sets it aside, while the audit topic flows.
    const { rows } = await admin().query(
      `SELECT topic, attempts, delivered_at IS NOT NULL AS delivered, dead_at IS NOT NULL AS dead FROM subprocessors.outbox
        WHERE payload->>'subjectId' = $1 OR payload->'change'->>'id' = $1 ORDER BY position`,
      [change.id],
    );
    expect(rows).toEqual([
      { topic: 'audit', attempts: expect.any(Number), delivered: true, dead: false },
      { topic: 'subprocessor_event', attempts: 0, delivered: false, dead: false },
    ]);
  });

  it('applies a change effective now at once with a notice of 0, and tracks ADDED, UPDATED, REMOVED and a cancellation in asOf', async () => {
    const tenant = await signUp(gql, 'Loader');
    expect((await ok('mutation { updateTenantSettings(input: { subprocessorNoticeDays: 0 }) { subprocessorNoticeDays } }', {}, tenant.accessToken)).updateTenantSettings).toEqual({
      subprocessorNoticeDays: 0,
    });
    const t0 = Date.now();
    const added = (await ok(ANNOUNCE, { input: { kind: 'ADDED', entry: entry({ name: 'Zeta Cloud' }), effectiveAt: iso(t0) } }, tenant.accessToken)).announceSubprocessorChange;
    expect(added.status).toBe('EFFECTIVE');
    const id = added.subprocessor.id;
    const addedAt = Date.parse(added.effectiveAt);
    expect((await ok(REGISTER, {}, tenant.accessToken)).subprocessors).toMatchObject([{ id, name: 'Zeta Cloud', status: 'ACTIVE' }]);

    // A cancelled update never shows.
    const cancelled = (await ok(ANNOUNCE, { input: { kind: 'UPDATED', subprocessorId: id, entry: entry({ name: 'Zeta Cloud', purpose: 'never' }), effectiveAt: iso(Date.now() + 60_000) } }, tenant.accessToken))
      .announceSubprocessorChange;
    expect((await ok(CANCEL, { id: cancelled.id, reason: 'wrong purpose' }, tenant.accessToken)).cancelSubprocessorChange.status).toBe('CANCELLED');

    // The scheduler makes the next ones effective by themselves.
    const updated = (await ok(ANNOUNCE, { input: { kind: 'UPDATED', subprocessorId: id, entry: entry({ name: 'Zeta Cloud', locations: ['IE'] }), effectiveAt: iso(Date.now() + 1500) } }, tenant.accessToken))
      .announceSubprocessorChange;
    expect(await eventually(async () => (await statusOf(updated.id)) === 'EFFECTIVE')).toBe(true);
    const removed = (await ok(ANNOUNCE, { input: { kind: 'REMOVED', subprocessorId: id, effectiveAt: iso(Date.now() + 1500) } }, tenant.accessToken)).announceSubprocessorChange;
    expect(removed.before).toMatchObject({ locations: ['IE'] });
    expect(await eventually(async () => (await statusOf(removed.id)) === 'EFFECTIVE')).toBe(true);

    const at = async (ms: number) => (await ok(REGISTER, { asOf: iso(ms) }, tenant.accessToken)).subprocessors.map((s: { locations: string[]; purpose: string }) => [s.locations, s.purpose]);
    const updatedAt = Date.parse(updated.effectiveAt);
    const removedAt = Date.parse(removed.effectiveAt);
    expect(await at(addedAt - 1)).toEqual([]);
    expect(await at(addedAt)).toEqual([[['DE'], 'hosting']]);
    expect(await at(updatedAt - 1)).toEqual([[['DE'], 'hosting']]);
    expect(await at(updatedAt)).toEqual([[['IE'], 'hosting']]);
    expect(await at(removedAt - 1)).toEqual([[['IE'], 'hosting']]);
    expect(await at(removedAt)).toEqual([]);
    expect((await ok(REGISTER, {}, tenant.accessToken)).subprocessors).toEqual([]);
    expect((await ok('query ($id: ID!) { subprocessor(id: $id) { status activeFrom activeUntil } }', { id }, tenant.accessToken)).subprocessor).toEqual({
      status: 'RETIRED',
      activeFrom: added.effectiveAt,
      activeUntil: removed.effectiveAt,
    });
    // Each transition has its audit event and its register event, once.
    expect(await transitions(updated.id)).toEqual([
      'audit subprocessor.change_announced',
      'subprocessor_event subprocessor.change_announced',
      'audit subprocessor.change_effective',
      'subprocessor_event subprocessor.change_effective',
    ]);
    expect(await transitions(cancelled.id)).toEqual([
      'audit subprocessor.change_announced',
      'subprocessor_event subprocessor.change_announced',
      'audit subprocessor.change_cancelled',
      'subprocessor_event subprocessor.change_cancelled',
    ]);
  });

  it('takes partner objections before the deadline only, and shows staff all of them, a partner its own', async () => {
    const tenant = await signUp(gql, 'Objected');
    await ok('mutation { updateTenantSettings(input: { subprocessorNoticeDays: 0 }) { id } }', {}, tenant.accessToken);
    const memberPartner = await joinTenant(gql, tenant.accessToken, 'PARTNER');
    const staff = await joinTenant(gql, tenant.accessToken, 'AUDITOR');
    const key = (
      await ok('mutation ($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }', { i: { name: 'Reseller key', role: 'PARTNER', expiresAt: iso(Date.now() + 30 * DAY) } }, tenant.accessToken)
    ).createApiKey.secret;
    const change = (await ok(ANNOUNCE, { input: { kind: 'ADDED', entry: entry(), effectiveAt: iso(Date.now() + 2500) } }, tenant.accessToken)).announceSubprocessorChange;

    expect(codeOf(await gql(OBJECT, { id: change.id, reason: 'staff cannot object' }, staff.accessToken))).toBe('FORBIDDEN');
    expect(codeOf(await gql(OBJECT, { id: change.id, reason: 'not theirs' }, partnerKey))).toBe('NOT_FOUND');
    const byMember = (await ok(OBJECT, { id: change.id, reason: 'data leaves the EU' }, memberPartner.accessToken)).objectToSubprocessorChange;
    expect(byMember).toMatchObject({ partnerName: 'PARTNER person', reason: 'data leaves the EU', change: { id: change.id } });
    const byKey = (await ok(OBJECT, { id: change.id, reason: 'no DPA yet' }, key)).objectToSubprocessorChange;
    expect(byKey.partnerName).toBe('Reseller key');
    expect(codeOf(await gql(OBJECT, { id: change.id, reason: 'again' }, key))).toBe('CONFLICT');

    const objectionsAs = async (token: string) =>
      (await ok(CHANGE, {}, token)).subprocessorChanges.find((c: { id: string }) => c.id === change.id).objections.map((o: { reason: string }) => o.reason).sort();
    expect(await objectionsAs(tenant.accessToken)).toEqual(['data leaves the EU', 'no DPA yet']);
    expect(await objectionsAs(staff.accessToken)).toEqual(['data leaves the EU', 'no DPA yet']);
    expect(await objectionsAs(memberPartner.accessToken)).toEqual(['data leaves the EU']);
    expect(await objectionsAs(key)).toEqual(['no DPA yet']);

    await sleep(Math.max(0, Date.parse(change.objectionDeadline) - Date.now()) + 100);
    const late = await gql(OBJECT, { id: change.id, reason: 'too late' }, (await joinTenant(gql, tenant.accessToken, 'PARTNER')).accessToken);
    expect(codeOf(late)).toBe('BAD_USER_INPUT');
    expect(late.errors?.[0].message).toContain('deadline');
    expect((await tenantRows(tenant.tenant.id)).objections).toBe(2);
  });

  it('refuses bad input, another tenant and hostile strings, changing nothing', async () => {
    const effectiveAt = iso(Date.now() + 40 * DAY);
    const before = await tenantRows(owner.tenant.id);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ kind: 'ADDED', entry: entry({ locations: ['ZZ'] }), effectiveAt }, 'input.entry.locations[0]'],
      [{ kind: 'ADDED', entry: entry({ website: 'ftp://x.example.com' }), effectiveAt }, 'input.entry.website'],
      [{ kind: 'ADDED', entry: entry({ purpose: '' }), effectiveAt }, 'input.entry.purpose'],
      [{ kind: 'ADDED', entry: entry({ dataCategories: [] }), effectiveAt }, 'input.entry.dataCategories'],
      [{ kind: 'ADDED', entry: entry({ name: 'n'.repeat(10_000) }), effectiveAt }, 'name'],
      [{ kind: 'ADDED', entry: entry({ purpose: 'nul \u0000 byte' }), effectiveAt }, 'purpose'],
      [{ kind: 'UPDATED', subprocessorId: randomUUID(), entry: entry(), effectiveAt }, ''],
      [{ kind: 'ADDED', entry: entry(), effectiveAt, objectionDeadline: iso(Date.now() + 50 * DAY) }, 'input.objectionDeadline'],
    ];
    for (const [input, field] of cases) {
      const answer = await gql(ANNOUNCE, { input }, owner.accessToken);
      const expected = input.kind === 'UPDATED' ? 'NOT_FOUND' : 'BAD_USER_INPUT';
      expect({ input: JSON.stringify(input).slice(0, 200), code: codeOf(answer) }).toEqual({ input: JSON.stringify(input).slice(0, 200), code: expected });
      expect(answer.errors?.[0].message).toContain(field);
    }
    const theirs = (await ok(ANNOUNCE, { input: { kind: 'ADDED', entry: entry(), effectiveAt } }, other.accessToken)).announceSubprocessorChange;
    expect(codeOf(await gql(CANCEL, { id: theirs.id, reason: 'not mine' }, owner.accessToken))).toBe('NOT_FOUND');
    expect(codeOf(await gql(OBJECT, { id: theirs.id, reason: 'not mine' }, partnerKey))).toBe('NOT_FOUND');
    expect((await ok('query ($id: ID!) { subprocessor(id: $id) { id } }', { id: theirs.subprocessor.id }, owner.accessToken)).subprocessor).toBeNull();
    expect(codeOf(await gql(CANCEL, { id: theirs.id, reason: 'r'.repeat(2001) }, owner.accessToken))).toBe('BAD_USER_INPUT');
    expect(await tenantRows(owner.tenant.id)).toEqual(before);
    expect(await statusOf(theirs.id)).toBe('ANNOUNCED');
  });

  it("answers nothing for another tenant's entries and changes through _entities", async () => {
    const theirs = (await ok(ANNOUNCE, { input: { kind: 'ADDED', entry: entry(), effectiveAt: iso(Date.now() + 40 * DAY) } }, other.accessToken)).announceSubprocessorChange;
    const entities = async (token: string) =>
      (
        await postGraphql(
          `${stack.subgraphUrls.subprocessors}/graphql`,
          {
            query: 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Subprocessor { id name } ... on SubprocessorChange { id after } } }',
            variables: { r: [{ __typename: 'Subprocessor', id: theirs.subprocessor.id }, { __typename: 'SubprocessorChange', id: theirs.id }] },
          },
          { authorization: `Bearer ${token}`, [ROUTER_SECRET_HEADER]: ROUTER_SECRET },
        )
      ).body;
    expect((await entities(owner.accessToken)).data._entities).toEqual([null, null]);
    expect((await entities(other.accessToken)).data._entities).toEqual([
      { id: theirs.subprocessor.id, name: 'Hosting GmbH' },
      { id: theirs.id, after: entry() },
    ]);
  });

  it('keeps a PARTNER to the register: every query and mutation outside it is refused', async () => {
    const outside: Array<[string, string, Record<string, unknown>?]> = [
      ['members', '{ members(first: 5) { nodes { id } } }'],
      ['user', 'query ($id: ID!) { user(id: $id) { id } }', { id: owner.user.id }],
      ['invitations', '{ invitations { id } }'],
      ['apiKeys', '{ apiKeys { id } }'],
      ['supportSessions', '{ supportSessions { id } }'],
      ['accessReviews', '{ accessReviews { id } }'],
      ['auditEvents', '{ auditEvents(first: 5) { nodes { id } } }'],
      ['auditCheckpoint', '{ auditCheckpoint { treeSize } }'],
      ['verifyAuditLog', '{ verifyAuditLog { ok } }'],
      ['evidenceList', '{ evidenceList(first: 5) { nodes { id } } }'],
      ['evidence', 'query ($id: ID!) { evidence(id: $id) { id } }', { id: randomUUID() }],
      ['proofpacks', '{ proofpacks { id } }'],
      ['announceSubprocessorChange', ANNOUNCE, { input: { kind: 'ADDED', entry: entry(), effectiveAt: iso(Date.now() + 40 * DAY) } }],
      ['cancelSubprocessorChange', CANCEL, { id: randomUUID(), reason: 'x' }],
      ['createApiKey', 'mutation { createApiKey(input: { name: "k", role: PARTNER, expiresAt: "2030-01-01T00:00:00Z" }) { secret } }'],
      ['updateTenantSettings', 'mutation { updateTenantSettings(input: { subprocessorNoticeDays: 0 }) { id } }'],
      ['inviteMember', 'mutation { inviteMember(email: "x@example.test", role: MEMBER) { token } }'],
      ['createEvidence', 'mutation { createEvidence(input: { title: "t", controlRefs: ["A:1"], sourceKind: MANUAL, sourceRef: "r", collectedAt: "2026-01-01T00:00:00Z" }) { id } }'],
      ['startAccessReview', 'mutation { startAccessReview(title: "t", dueAt: "2030-01-01T00:00:00Z") { id } }'],
    ];
    const refused: string[] = [];
    for (const token of [partner.accessToken, partnerKey]) {
      for (const [name, query, variables] of outside) {
        const code = codeOf(await gql(query, variables ?? {}, token));
        if (code === 'FORBIDDEN') refused.push(name);
      }
    }
    expect(refused).toEqual([...outside.map(([name]) => name), ...outside.map(([name]) => name)]);
    for (const token of [partner.accessToken, partnerKey]) {
      expect((await gql(`{ subprocessors { id } subprocessorChanges { id objections { id } } }`, {}, token)).errors).toBeUndefined();
    }
  });

  describe('the scheduler', () => {
    it('makes a change that came due while the service was stopped effective after the restart, its events once', async () => {
      const tenant = await signUp(gql, 'Downtime');
      await ok('mutation { updateTenantSettings(input: { subprocessorNoticeDays: 0 }) { id } }', {}, tenant.accessToken);
      const change = (await ok(ANNOUNCE, { input: { kind: 'ADDED', entry: entry(), effectiveAt: iso(Date.now() + 1000) } }, tenant.accessToken)).announceSubprocessorChange;
      await stack.stopSubprocessors();
      await sleep(1500);
      expect(await statusOf(change.id)).toBe('ANNOUNCED');
      await stack.startSubprocessors();
      expect(await eventually(async () => (await statusOf(change.id)) === 'EFFECTIVE')).toBe(true);
      await sleep(5 * SCHEDULER_INTERVAL_MS);
      expect(await transitions(change.id)).toEqual([
        'audit subprocessor.change_announced',
        'subprocessor_event subprocessor.change_announced',
        'audit subprocessor.change_effective',
        'subprocessor_event subprocessor.change_effective',
      ]);
      const effectiveEvents = await eventually(async () => {
        const events = (await ok('{ auditEvents(first: 200) { nodes { action subjectId } } }', {}, tenant.accessToken)).auditEvents.nodes;
        const found = events.filter((e: { action: string; subjectId: string }) => e.action === 'subprocessor.change_effective' && e.subjectId === change.id);
        return found.length ? found : undefined;
      });
      expect(effectiveEvents).toHaveLength(1);
    });

    it('fires each transition once with three instances running at once', async () => {
      // Two more beside the stack's own; the stack stops them with the rest.
      await Promise.all([stack.startSubprocessorsInstance(), stack.startSubprocessorsInstance()]);
      const tenant = await signUp(gql, 'Crowded');
      await ok('mutation { updateTenantSettings(input: { subprocessorNoticeDays: 0 }) { id } }', {}, tenant.accessToken);
      const due = Date.now() + 1500;
      const changes = await Promise.all(
        Array.from({ length: 30 }, async (_, n) =>
          (await ok(ANNOUNCE, { input: { kind: 'ADDED', entry: entry({ name: `Entry ${n}` }), effectiveAt: iso(due) } }, tenant.accessToken)).announceSubprocessorChange,
        ),
      );
      const allEffective = await eventually(async () => {
        const { rows } = await admin().query(`SELECT count(*)::int AS n FROM subprocessors.changes WHERE tenant_id = $1 AND status = 'EFFECTIVE'`, [tenant.tenant.id]);
        return rows[0].n === changes.length;
      });
      expect(allEffective).toBe(true);
      await sleep(5 * SCHEDULER_INTERVAL_MS);
      const rows = await tenantRows(tenant.tenant.id);
      expect(rows.audit.filter((a) => a === 'subprocessor.change_effective')).toHaveLength(30);
      expect(rows.events.filter((e) => e === 'subprocessor.change_effective')).toHaveLength(30);
    });
  });
});
