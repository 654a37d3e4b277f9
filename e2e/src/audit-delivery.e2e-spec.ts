import { admin, closeAdmin, signIn, addMember } from '@compliance-graph/testing';
import { signUp } from './accounts';
import { codeOf, graphqlClient } from './graphql-client';
import { startStack, type Stack } from './stack';

/**
 * Identity's audit events reach the audit log through the outbox: an acknowledged change is
 * never lost, even while the audit service is down, and each event lands exactly once, in order.
 */
describe('audit delivery from identity', () => {
  let stack: Stack;
  let gql: ReturnType<typeof graphqlClient>;

  beforeAll(async () => {
    stack = await startStack();
    gql = graphqlClient(stack.gatewayUrl);
  });
  afterAll(async () => {
    await stack.stop();
    await closeAdmin();
  });

  const outboxIds = async (tenantId: string) =>
    (await admin().query(`SELECT id FROM identity.outbox WHERE tenant_id = $1 ORDER BY position`, [tenantId])).rows.map((r) => r.id);
  const logIds = async (tenantId: string) =>
    (await admin().query(`SELECT id FROM audit.events WHERE tenant_id = $1 ORDER BY seq`, [tenantId])).rows.map((r) => r.id);
  const untilDelivered = async (tenantId: string, timeoutMs = 20_000) => {
    const expected = await outboxIds(tenantId);
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
      if ((await logIds(tenantId)).length >= expected.length) break;
    }
    return { expected, logged: await logIds(tenantId) };
  };

  it('makes every state change readable in the audit log within seconds, through the graph', async () => {
    const owner = await signUp(gql);
    await gql('mutation { updateTenantSettings(input: { name: "Acme Ltd" }) { id } }', {}, owner.accessToken);
    const { expected, logged } = await untilDelivered(owner.tenant.id);
    expect(logged).toEqual(expected);
    const events = await gql('{ auditEvents { nodes { seq action actor { id displayName } } } verifyAuditLog { ok treeSize } }', {}, owner.accessToken);
    expect(events.errors).toBeUndefined();
    expect(events.data.auditEvents.nodes.map((e: { action: string }) => e.action)).toEqual(['tenant.created', 'membership.created', 'tenant.settings_updated']);
    expect(events.data.auditEvents.nodes[0].actor.displayName).toBe('Acme person');
    expect(events.data.verifyAuditLog).toEqual({ ok: true, treeSize: 3 });
  });

  it('keeps acknowledged changes while the audit service is down, and delivers each exactly once in order after it returns', async () => {
    const owner = await signUp(gql);
    await untilDelivered(owner.tenant.id);
    await stack.stopAudit();
    try {
      for (const name of ['One', 'Two', 'Three']) {
        const answer = await gql('mutation ($n: String!) { updateTenantSettings(input: { name: $n }) { name } }', { n: name }, owner.accessToken);
        expect(answer.data.updateTenantSettings.name).toBe(name);
      }
      // Reading the log fails while it is down; writing elsewhere does not.
      expect(codeOf(await gql('{ auditEvents { totalCount } }', {}, owner.accessToken))).toBe('INTERNAL_SERVER_ERROR');
    } finally {
      await stack.startAudit();
    }
    const { expected, logged } = await untilDelivered(owner.tenant.id, 60_000);
    expect(logged).toEqual(expected);
    expect(new Set(logged).size).toBe(logged.length);
    const verification = (await gql('{ verifyAuditLog { ok treeSize firstInvalidSeq } }', {}, owner.accessToken)).data.verifyAuditLog;
    expect(verification).toEqual({ ok: true, treeSize: expected.length, firstInvalidSeq: null });
  });

  it('lets only OWNER, ADMIN and AUDITOR read the log', async () => {
    const owner = await signUp(gql);
    for (const role of ['MEMBER', 'COMPLIANCE_MANAGER', 'PARTNER'] as const) {
      const member = await addMember(owner.tenant.id, role);
      const { token } = await signIn(owner.tenant.id, member);
      expect(codeOf(await gql('{ auditEvents { totalCount } }', {}, token))).toBe('FORBIDDEN');
    }
    const auditor = await addMember(owner.tenant.id, 'AUDITOR');
    const { token } = await signIn(owner.tenant.id, auditor);
    expect((await gql('{ auditEvents { totalCount } }', {}, token)).errors).toBeUndefined();
  });

  it('contributes the audit trail of a membership: readers see it, others get null with FORBIDDEN and keep the membership', async () => {
    const owner = await signUp(gql);
    await untilDelivered(owner.tenant.id);
    const trailQuery = '{ members { nodes { role auditTrail { totalCount nodes { action seq } } } } }';
    // A member written without events: the batched trails must keep each entity's own.
    const member = await addMember(owner.tenant.id, 'MEMBER');
    const asOwner = await gql(trailQuery, {}, owner.accessToken);
    expect(asOwner.errors).toBeUndefined();
    const trails = Object.fromEntries(
      asOwner.data.members.nodes.map((m: { role: string; auditTrail: { totalCount: number; nodes: Array<{ action: string }> } }) => [
        m.role,
        m.auditTrail.nodes.map((e) => e.action),
      ]),
    );
    expect(trails).toEqual({ OWNER: ['membership.created'], MEMBER: [] });

    const { token } = await signIn(owner.tenant.id, member);
    const asMember = await gql(trailQuery, {}, token);
    expect(asMember.data.members.nodes).toHaveLength(2);
    expect(asMember.data.members.nodes.every((m: { role: string; auditTrail: unknown }) => m.role && m.auditTrail === null)).toBe(true);
    expect(asMember.errors!.every((e) => e.extensions.code === 'FORBIDDEN')).toBe(true);
  });
});
