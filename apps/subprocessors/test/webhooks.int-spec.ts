import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { openSecret, parseEncryptionKey, type Principal } from '@compliance-graph/auth';
import type { RunningSubgraph } from '@compliance-graph/runtime';
import {
  TEST_WEBHOOK_SECRET_KEY,
  admin,
  startWebhookReceiver,
  type WebhookReceiver as Receiver,
  closeAdmin,
  executeOnSubgraph,
  principal,
} from '@compliance-graph/testing';
import { startWithoutRelay } from './webhook-fixtures';

const CREATE = `mutation ($url: String!, $eventTypes: [String!]!) {
  createWebhookSubscription(url: $url, eventTypes: $eventTypes) { secret subscription { id url eventTypes createdAt lastDeliveryAt lastDeliveryStatus } }
}`;
const LIST = `{ webhookSubscriptions { id url lastDeliveryAt lastDeliveryStatus
  deliveries(first: 200) { totalCount nodes { eventId eventType attempt outcome httpStatus error durationMs attemptedAt } } } }`;
const DELETE = `mutation ($id: ID!) { deleteWebhookSubscription(id: $id) }`;

type Service = RunningSubgraph<unknown>;

/** Subscriptions in process on the real schema and database; deliveries are in webhook-delivery-rules and the e2e spec. */
describe('webhook subscriptions', () => {
  let service: Service;
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    service = await startWithoutRelay('test');
  });
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((receiver) => receiver.stop()));
  });
  afterAll(async () => {
    await service.stop();
    await closeAdmin();
  });

  const receiver = async (...args: Parameters<typeof startWebhookReceiver>) => {
    const started = await startWebhookReceiver(...args);
    receivers.push(started);
    return started;
  };
  const as = (who: Principal, document: string, variables: Record<string, unknown> = {}, on: Service = service) =>
    executeOnSubgraph(on, document, variables, { principal: who });
  const subscribe = async (who: Principal, to: Receiver, eventTypes: string[] = ['subprocessor.change_announced']) => {
    const result = await as(who, CREATE, { url: to.url, eventTypes });
    expect(result.errors).toBeUndefined();
    const created = result.data!.createWebhookSubscription;
    to.useSecret(created.secret);
    return created as { secret: string; subscription: { id: string; url: string } };
  };
  const subscriptionsOf = async (who: Principal) => {
    const result = await as(who, LIST);
    expect(result.errors).toBeUndefined();
    return result.data!.webhookSubscriptions as Array<{ id: string; lastDeliveryAt: string | null; lastDeliveryStatus: number | null; deliveries: { totalCount: number; nodes: Array<Record<string, unknown>> } }>;
  };
  const auditActions = async (subjectId: string) =>
    (
      await admin().query(`SELECT payload->>'action' AS action FROM subprocessors.outbox WHERE topic = 'audit' AND payload->>'subjectId' = $1 ORDER BY position`, [subjectId])
    ).rows.map((row: { action: string }) => row.action);
  const storedSubscription = async (id: string) => (await admin().query(`SELECT * FROM subprocessors.webhook_subscriptions WHERE id = $1`, [id])).rows[0];
  const partnerOf = (tenantId: string) => principal(tenantId, 'PARTNER', { kind: 'API_KEY' });

  it('creates a subscription with a secret shown once and stored only sealed, and audits it', async () => {
    const tenant = randomUUID();
    const partner = partnerOf(tenant);
    const to = await receiver();
    const created = await subscribe(partner, to, ['subprocessor.change_announced', 'subprocessor.change_effective']);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(created.subscription).toMatchObject({ url: to.url, eventTypes: ['subprocessor.change_announced', 'subprocessor.change_effective'], lastDeliveryAt: null, lastDeliveryStatus: null });

    const row = await storedSubscription(created.subscription.id);
    expect(row).toMatchObject({ tenant_id: tenant, owner_kind: 'API_KEY', owner_id: partner.subjectId });
    expect(JSON.stringify(row)).not.toContain(created.secret);
    expect(JSON.stringify(row)).not.toContain(created.secret.slice(6));
    expect(openSecret(parseEncryptionKey(TEST_WEBHOOK_SECRET_KEY), row.secret_sealed, `webhook:${row.id}`)).toBe(created.secret);
    // Sealed for its own row: copied to another subscription, it does not open.
    expect(() => openSecret(parseEncryptionKey(TEST_WEBHOOK_SECRET_KEY), row.secret_sealed, `webhook:${randomUUID()}`)).toThrow();
    expect(await auditActions(created.subscription.id)).toEqual(['webhook.subscription_created']);
  });

  it('deletes by keeping the row without its secret, audited', async () => {
    const tenant = randomUUID();
    const partner = partnerOf(tenant);
    const created = await subscribe(partner, await receiver());
    expect((await as(partner, DELETE, { id: created.subscription.id })).data).toEqual({ deleteWebhookSubscription: true });
    const row = await storedSubscription(created.subscription.id);
    expect(row.deleted_at).not.toBeNull();
    expect(row.secret_sealed).toBeNull();
    expect(await auditActions(created.subscription.id)).toEqual(['webhook.subscription_created', 'webhook.subscription_deleted']);
    expect(await subscriptionsOf(partner)).toEqual([]);
  });

  describe('refuses bad input with BAD_USER_INPUT naming the field, and changes nothing', () => {
    const longUrl = `http://127.0.0.1:9/${'a'.repeat(2100)}`;
    it.each([
      ['not a URL', 'not a url', ['subprocessor.change_announced'], 'url'],
      ['a relative URL', '/hooks', ['subprocessor.change_announced'], 'url'],
      ['another scheme', 'ftp://127.0.0.1/hooks', ['subprocessor.change_announced'], 'url'],
      ['a javascript: URL', 'javascript:alert(1)', ['subprocessor.change_announced'], 'url'],
      ['credentials in the URL', 'http://user:pass@127.0.0.1:9/hooks', ['subprocessor.change_announced'], 'url'],
      ['surrounding spaces', ' http://127.0.0.1:9/hooks', ['subprocessor.change_announced'], 'url'],
      ['a NUL byte', 'http://127.0.0.1:9/ho\u0000oks', ['subprocessor.change_announced'], 'url'],
      ['a URL over 2048 characters', longUrl, ['subprocessor.change_announced'], 'url'],
      ['a link-local host (cloud metadata)', 'http://169.254.169.254/latest', ['subprocessor.change_announced'], 'url'],
      ['a private host, even in development', 'http://10.1.2.3/hooks', ['subprocessor.change_announced'], 'url'],
      ['a host that does not resolve', 'http://no-such-host.invalid/hooks', ['subprocessor.change_announced'], 'url'],
      ['no event type', 'http://127.0.0.1:9/hooks', [], 'eventTypes'],
      ['an unknown event type', 'http://127.0.0.1:9/hooks', ['subprocessor.change_announced', 'subprocessor.deleted'], 'eventTypes[1]'],
      ['a repeated event type', 'http://127.0.0.1:9/hooks', ['subprocessor.change_effective', 'subprocessor.change_effective'], 'eventTypes[1]'],
      ['a NUL byte in an event type', 'http://127.0.0.1:9/hooks', ['subprocessor.change_announced\u0000'], 'eventTypes[0]'],
      ['an overlong event type', 'http://127.0.0.1:9/hooks', ['x'.repeat(65)], 'eventTypes[0]'],
    ])('%s', async (_case, url, eventTypes, field) => {
      const tenant = randomUUID();
      const result = await as(partnerOf(tenant), CREATE, { url, eventTypes });
      expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(result.errors![0].message.startsWith(field)).toBe(true);
      expect(result.data ?? null).toBeNull();
      const rows = await admin().query(`SELECT count(*)::int AS n FROM subprocessors.webhook_subscriptions WHERE tenant_id = $1`, [tenant]);
      const audits = await admin().query(`SELECT count(*)::int AS n FROM subprocessors.outbox WHERE tenant_id = $1`, [tenant]);
      expect([rows.rows[0].n, audits.rows[0].n]).toEqual([0, 0]);
    });

    it('a malformed id to delete', async () => {
      const result = await as(partnerOf(randomUUID()), DELETE, { id: 'not-a-uuid' });
      expect(result.errors?.[0]).toMatchObject({ message: 'id must be a UUID', extensions: { code: 'BAD_USER_INPUT' } });
    });
  });

  it('allows 10 subscriptions per partner, also under 15 parallel creations, and another partner its own 10', async () => {
    const tenant = randomUUID();
    const partner = partnerOf(tenant);
    const to = await receiver();
    const results = await Promise.all(Array.from({ length: 15 }, () => as(partner, CREATE, { url: to.url, eventTypes: ['subprocessor.change_announced'] })));
    const created = results.filter((r) => r.data?.createWebhookSubscription);
    const refused = results.filter((r) => r.errors);
    expect([created.length, refused.length]).toEqual([10, 5]);
    for (const r of refused) expect(r.errors![0]).toMatchObject({ extensions: { code: 'CONFLICT' } });
    expect(refused[0].errors![0].message).toContain('at most 10');
    expect(await subscriptionsOf(partner)).toHaveLength(10);
    const stored = await admin().query(`SELECT count(*)::int AS n FROM subprocessors.webhook_subscriptions WHERE owner_id = $1`, [partner.subjectId]);
    expect(stored.rows[0].n).toBe(10);

    // Deleting one makes room for one; the limit is per partner, not per tenant.
    const [first] = await subscriptionsOf(partner);
    await as(partner, DELETE, { id: first.id });
    expect((await as(partner, CREATE, { url: to.url, eventTypes: ['subprocessor.change_announced'] })).errors).toBeUndefined();
    expect((await as(partner, CREATE, { url: to.url, eventTypes: ['subprocessor.change_announced'] })).errors?.[0].extensions?.code).toBe('CONFLICT');
    expect((await as(partnerOf(tenant), CREATE, { url: to.url, eventTypes: ['subprocessor.change_announced'] })).errors).toBeUndefined();
  });

  it('shows and deletes a partner its own subscriptions only, OWNER and ADMIN all of the tenant, other roles and tenants nothing', async () => {
    const tenant = randomUUID();
    const [keyPartner, memberPartner] = [partnerOf(tenant), principal(tenant, 'PARTNER')];
    const to = await receiver();
    const ofKey = await subscribe(keyPartner, to);
    const ofMember = await subscribe(memberPartner, to);
    const ofAdmin = await subscribe(principal(tenant, 'ADMIN'), to);
    const ids = (who: Principal) => subscriptionsOf(who).then((list) => list.map((s) => s.id).sort());

    expect(await ids(keyPartner)).toEqual([ofKey.subscription.id]);
    expect(await ids(memberPartner)).toEqual([ofMember.subscription.id]);
    const all = [ofKey, ofMember, ofAdmin].map((c) => c.subscription.id).sort();
    expect(await ids(principal(tenant, 'ADMIN'))).toEqual(all);
    expect(await ids(principal(tenant, 'OWNER'))).toEqual(all);
    // Another tenant's admin and partner see none of them.
    expect(await ids(principal(randomUUID(), 'ADMIN'))).toEqual([]);
    for (const role of ['COMPLIANCE_MANAGER', 'AUDITOR', 'MEMBER'] as const) {
      const who = principal(tenant, role);
      expect((await as(who, LIST)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
      expect((await as(who, CREATE, { url: to.url, eventTypes: ['subprocessor.change_announced'] })).errors?.[0].extensions?.code).toBe('FORBIDDEN');
      expect((await as(who, DELETE, { id: ofKey.subscription.id })).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }

    // A partner cannot delete another partner's; another tenant's admin cannot either: NOT_FOUND, like an unknown id.
    for (const [who, id] of [
      [memberPartner, ofKey.subscription.id],
      [keyPartner, ofAdmin.subscription.id],
      [principal(randomUUID(), 'ADMIN'), ofKey.subscription.id],
      [keyPartner, randomUUID()],
    ] as const) {
      expect((await as(who, DELETE, { id })).errors?.[0]).toMatchObject({ message: 'No such webhook subscription', extensions: { code: 'NOT_FOUND' } });
    }
    expect(await ids(principal(tenant, 'ADMIN'))).toEqual(all);

    expect((await as(keyPartner, DELETE, { id: ofKey.subscription.id })).data).toEqual({ deleteWebhookSubscription: true });
    expect((await as(keyPartner, DELETE, { id: ofKey.subscription.id })).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await as(principal(tenant, 'ADMIN'), DELETE, { id: ofMember.subscription.id })).data).toEqual({ deleteWebhookSubscription: true });
    expect(await ids(principal(tenant, 'OWNER'))).toEqual([ofAdmin.subscription.id]);
  });

  it("pages each subscription's delivery log on its own, newest first, when a list of them asks in one request", async () => {
    const tenant = randomUUID();
    const partner = partnerOf(tenant);
    const to = await receiver();
    const [first, second] = [(await subscribe(partner, to)).subscription.id, (await subscribe(partner, to)).subscription.id];
    // Interleaved in time: the first subscription's attempts at minutes 1, 3, 5, the second's at 2 and 4.
    for (const [subscription, minute] of [[first, 1], [second, 2], [first, 3], [second, 4], [first, 5]] as const) {
      await admin().query(
        `INSERT INTO subprocessors.webhook_deliveries (id, tenant_id, subscription_id, event_id, event_type, attempt, attempted_at, outcome, http_status, duration_ms)
         VALUES ($1, $2, $3, $4, 'subprocessor.change_announced', 1, timestamptz '2026-01-01T00:00:00Z' + make_interval(mins => $5), 'DELIVERED', 204, 5)`,
        [randomUUID(), tenant, subscription, randomUUID(), minute],
      );
    }
    const PAGE = `query ($after: String) { webhookSubscriptions { id deliveries(first: 2, after: $after) {
      totalCount pageInfo { endCursor hasNextPage } nodes { attemptedAt } } } }`;
    type Page = { id: string; deliveries: { totalCount: number; pageInfo: { endCursor: string | null; hasNextPage: boolean }; nodes: Array<{ attemptedAt: string }> } };
    const page = async (after: string | null) => {
      const result = await as(partner, PAGE, { after });
      expect(result.errors).toBeUndefined();
      const bySubscription = new Map((result.data!.webhookSubscriptions as Page[]).map((s) => [s.id, s.deliveries]));
      return [bySubscription.get(first)!, bySubscription.get(second)!];
    };
    const minutes = (connection: Page['deliveries']) => connection.nodes.map((node) => new Date(node.attemptedAt).getUTCMinutes());

    const [firstPage, secondPage] = await page(null);
    expect([minutes(firstPage), firstPage.totalCount, firstPage.pageInfo.hasNextPage]).toEqual([[5, 3], 3, true]);
    expect([minutes(secondPage), secondPage.totalCount, secondPage.pageInfo.hasNextPage]).toEqual([[4, 2], 2, false]);
    // The cursor is a position in time: each log continues from it on its own.
    const [firstRest, secondRest] = await page(firstPage.pageInfo.endCursor);
    expect([minutes(firstRest), firstRest.pageInfo.hasNextPage]).toEqual([[1], false]);
    expect(minutes(secondRest)).toEqual([2]);
    expect((await as(partner, PAGE, { after: 'not a cursor' })).errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});
