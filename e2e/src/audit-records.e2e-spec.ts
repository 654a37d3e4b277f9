import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { addMember, admin, bearer, closeAdmin, postGraphql } from '@compliance-graph/testing';
import { signUp, unique } from './accounts';
import { operatorCli } from './fixtures';
import { codeOf, graphqlClient, randomClientAddress } from './graphql-client';
import { startStack, type Stack } from './stack';

const WRONG_LOGIN = 'mutation ($input: LoginInput!) { login(input: $input) { accessToken } }';
const EVENTS = '{ auditEvents(first: 200) { nodes { seq action userAgent } } }';

interface LoggedEvent {
  seq: number;
  action: string;
  userAgent: string | null;
}

/**
 * Audit records are never refused downstream: whatever a client puts in its headers or
 * arguments, a tenant's later events still reach its log, and an argument PostgreSQL cannot
 * store is BAD_USER_INPUT that changes nothing.
 */
describe('audit records from client input', () => {
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

  const wrongLogin = (slug: string, email: string) => ({ query: WRONG_LOGIN, variables: { input: { tenantSlug: slug, email, password: 'not the password at all' } } });

  /** A request whose User-Agent carries bytes fetch would not send (tab, C1 controls): Node sends them as latin1. */
  const postWithRawUserAgent = (body: unknown, userAgent: string) =>
    new Promise<number>((resolve, reject) => {
      const payload = JSON.stringify(body);
      const outgoing = request(`${stack.gatewayUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': userAgent, 'x-forwarded-for': randomClientAddress() },
      });
      outgoing.on('response', (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      });
      outgoing.on('error', reject);
      outgoing.end(payload);
    });

  /** The tenant's log as its OWNER reads it through the gateway, once it holds `action`. */
  const logUntil = async (token: string, action: string, timeoutMs = 20_000): Promise<LoggedEvent[]> => {
    let nodes: LoggedEvent[] = [];
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
      nodes = (await gql(EVENTS, {}, token)).data?.auditEvents.nodes ?? [];
      if (nodes.some((event) => event.action === action)) break;
    }
    return nodes;
  };

  it('keeps a tenant’s log flowing after failed logins with a 5,000-character or odd User-Agent, storing it normalised', async () => {
    const owner = await signUp(gql);
    const longAgent = `Mozilla/5.0 ${'x'.repeat(5_000)}`;
    const long = await postGraphql(`${stack.gatewayUrl}/graphql`, wrongLogin(owner.tenant.slug, owner.user.email), {
      'user-agent': longAgent,
      'x-forwarded-for': randomClientAddress(),
    });
    expect(codeOf(long.body)).toBe('UNAUTHENTICATED');
    expect(await postWithRawUserAgent(wrongLogin(owner.tenant.slug, owner.user.email), 'Odd\t\u0085agent\u00ff')).toBe(200);

    const renamed = await gql('mutation { updateTenantSettings(input: { name: "Renamed Ltd" }) { name } }', {}, owner.accessToken);
    expect(renamed.data.updateTenantSettings.name).toBe('Renamed Ltd');

    const log = await logUntil(owner.accessToken, 'tenant.settings_updated');
    expect(log.map((event) => event.action)).toEqual([
      'tenant.created',
      'membership.created',
      'user.login_failed',
      'user.login_failed',
      'tenant.settings_updated',
    ]);
    const [first, second] = log.filter((event) => event.action === 'user.login_failed');
    expect(first.userAgent).toBe(longAgent.slice(0, 512));
    // The tab and the C1 control are gone; the gateway re-encodes the rest (latin1 in, UTF-8 out), so only its shape is asserted.
    expect(second.userAgent).toMatch(/^Odd\S*agent\S*$/u);
    expect(second.userAgent).not.toMatch(/\p{Cc}/u);
  });

  it('answers revokeMembership with a NUL in its reason BAD_USER_INPUT and leaves the membership as it was', async () => {
    const owner = await signUp(gql);
    const member = await addMember(owner.tenant.id, 'MEMBER');
    const answer = await gql(
      'mutation ($m: ID!, $r: String!) { revokeMembership(membershipId: $m, reason: $r) { id } }',
      { m: member.membershipId, r: 'left\u0000the company' },
      owner.accessToken,
    );
    expect(codeOf(answer)).toBe('BAD_USER_INPUT');
    expect(answer.errors![0].message).toBe('reason must not contain NUL characters');
    const { rows } = await admin().query(`SELECT revoked_at, revoked_reason FROM identity.memberships WHERE id = $1`, [member.membershipId]);
    expect(rows).toEqual([{ revoked_at: null, revoked_reason: null }]);
  });

  it('refuses unpaired surrogates and over-long strings in any argument, naming it, before anything changes', async () => {
    const owner = await signUp(gql);
    const cases: Array<[string, Record<string, unknown>, string, string | undefined]> = [
      [
        'mutation ($input: SignUpInput!) { signUp(input: $input) { accessToken } }',
        { input: { tenantName: 'Lone \ud800 surrogate', tenantSlug: `lone-${unique()}`, email: `lone-${unique()}@example.test`, password: 'correct horse battery staple', displayName: 'Lone' } },
        'input.tenantName must not contain unpaired UTF-16 surrogates',
        undefined,
      ],
      [
        'mutation ($input: SignUpInput!) { signUp(input: $input) { accessToken } }',
        { input: { tenantName: 'Long', tenantSlug: `long-${unique()}`, email: `long-${unique()}@example.test`, password: 'p'.repeat(257), displayName: 'Long' } },
        'input.password must be at most 256 characters',
        undefined,
      ],
      [
        WRONG_LOGIN,
        { input: { tenantSlug: owner.tenant.slug, email: `${'e'.repeat(300)}@example.test`, password: 'whatever it is' } },
        'input.email must be at most 254 characters',
        undefined,
      ],
      [
        'mutation ($e: String!) { inviteMember(email: $e, role: MEMBER) { token } }',
        { e: `nul\u0000-${unique()}@example.test` },
        'email must not contain NUL characters',
        owner.accessToken,
      ],
      [
        'mutation ($n: String!) { updateTenantSettings(input: { name: $n }) { name } }',
        { n: 'n'.repeat(201) },
        'input.name must be at most 200 characters',
        owner.accessToken,
      ],
      [
        'mutation ($r: String!) { resetMemberMfa(membershipId: "00000000-0000-4000-8000-000000000000", reason: $r) { id } }',
        { r: 'r'.repeat(2_001) },
        'reason must be at most 2000 characters',
        owner.accessToken,
      ],
    ];
    for (const [query, variables, message, token] of cases) {
      const answer = (await postGraphql(`${stack.gatewayUrl}/graphql`, { query, variables }, { 'x-forwarded-for': randomClientAddress(), ...(token ? bearer(token) : {}) })).body;
      expect({ code: codeOf(answer), message: answer.errors?.[0]?.message }).toEqual({ code: 'BAD_USER_INPUT', message });
    }
    const names = (await gql('{ viewer { tenant { name } } }', {}, owner.accessToken)).data;
    expect(names.viewer.tenant.name).toBe('Acme');
    const { rows } = await admin().query(`SELECT count(*)::int AS invited FROM identity.invitations WHERE tenant_id = $1`, [owner.tenant.id]);
    expect(rows).toEqual([{ invited: 0 }]);
  });
  it('sets aside a record the ingest refuses, lets the tenant’s later records through, and lists and replays it with the operator CLI', async () => {
    const owner = await signUp(gql);
    // A record an older producer could enqueue (a 600-character user agent), which the ingest now refuses with 400.
    const stale = randomUUID();
    const occurredAt = new Date().toISOString();
    await admin().query(
      `INSERT INTO identity.outbox (id, topic, tenant_id, occurred_at, payload) VALUES ($1, 'audit', $2, $3, $4)`,
      [stale, owner.tenant.id, occurredAt, JSON.stringify({
        id: stale, tenantId: owner.tenant.id, occurredAt, action: 'user.login_failed', actorKind: 'SYSTEM', actorId: null, subjectType: 'Tenant',
        subjectId: owner.tenant.id, service: 'identity', ip: null, userAgent: 'u'.repeat(600), reason: 'wrong_password', data: {},
      })],
    );
    await gql('mutation { updateTenantSettings(input: { name: "After the stale one" }) { name } }', {}, owner.accessToken);

    const log = await logUntil(owner.accessToken, 'tenant.settings_updated', 30_000);
    expect(log.map((event) => event.action)).toEqual(['tenant.created', 'membership.created', 'tenant.settings_updated']);
    const [row] = (await admin().query(`SELECT refusals, dead_at IS NOT NULL AS dead, delivered_at FROM identity.outbox WHERE id = $1`, [stale])).rows;
    expect(row).toEqual({ refusals: 3, dead: true, delivered_at: null });

    const ready = (await (await fetch(`${stack.subgraphUrls.identity}/readyz`)).json()) as { outbox: { audit: { dead: number } } };
    expect(ready.outbox.audit.dead).toBeGreaterThanOrEqual(1);
    expect(operatorCli('outbox', 'list')).toMatch(new RegExp(`${stale}  tenant ${owner.tenant.id}  audit .* refused 3x: .*HTTP 400`));
    expect(operatorCli('outbox', 'retry', stale)).toContain(`put 1 dead message(s) back in line: ${stale}`);
    const [retried] = (await admin().query(`SELECT refusals, dead_at FROM identity.outbox WHERE id = $1`, [stale])).rows;
    expect(retried).toEqual({ refusals: 0, dead_at: null });
  });
});
