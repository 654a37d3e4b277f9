import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import { createDataSource, withTenant } from '@compliance-graph/db';
import { enqueue } from '@compliance-graph/outbox';
import { SUBPROCESSORS_SCHEMA, SUBPROCESSOR_EVENT_TOPIC, type SubprocessorEvent } from '@compliance-graph/subprocessors';
import { admin, answerWith, closeAdmin, startWebhookReceiver, testDatabaseUrl, type Answer, type WebhookReceiver } from '@compliance-graph/testing';
import { joinTenant, signUp, type AuthPayload } from './accounts';
import { codeOf, graphqlClient } from './graphql-client';
import { startStack, type Stack } from './stack';

const CREATE = `mutation ($url: String!, $types: [String!]!) {
  createWebhookSubscription(url: $url, eventTypes: $types) { secret subscription { id url eventTypes createdAt lastDeliveryAt lastDeliveryStatus } }
}`;
const LIST = `{ webhookSubscriptions { id url lastDeliveryAt lastDeliveryStatus
  deliveries(first: 10) { totalCount pageInfo { hasNextPage } nodes { eventId eventType attempt outcome httpStatus error durationMs } } } }`;
const DELETE = 'mutation ($id: ID!) { deleteWebhookSubscription(id: $id) }';
const ANNOUNCED = ['subprocessor.change_announced'];

/** Partners' webhooks through the gateway: subscriptions by role and tenant, signed deliveries, their log and audit events. */
describe('subprocessors: webhooks', () => {
  let stack: Stack;
  let gql: ReturnType<typeof graphqlClient>;
  let owner: AuthPayload;
  let partnerKey: string;
  let otherPartnerKey: string;
  let memberPartner: AuthPayload;
  let member: AuthPayload;
  let foreignOwner: AuthPayload;
  let app: DataSource;
  const receivers: WebhookReceiver[] = [];

  const ok = (answer: Awaited<ReturnType<typeof gql>>) => {
    expect(answer.errors).toBeUndefined();
    return answer.data;
  };
  const createPartnerKey = async (name: string) =>
    ok(
      await gql(
        'mutation ($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret apiKey { id } } }',
        { i: { name, role: 'PARTNER', expiresAt: new Date(Date.now() + 30 * 86400_000).toISOString() } },
        owner.accessToken,
      ),
    ).createApiKey as { secret: string; apiKey: { id: string } };
  const partnerApiKey = async (name: string) => (await createPartnerKey(name)).secret;

  beforeAll(async () => {
    stack = await startStack();
    gql = graphqlClient(stack.gatewayUrl);
    owner = await signUp(gql, 'Hooks');
    [partnerKey, otherPartnerKey] = [await partnerApiKey('Partner A'), await partnerApiKey('Partner B')];
    memberPartner = await joinTenant(gql, owner.accessToken, 'PARTNER');
    member = await joinTenant(gql, owner.accessToken, 'MEMBER');
    foreignOwner = await signUp(gql, 'Elsewhere');
    app = await createDataSource({ databaseUrl: testDatabaseUrl(), schema: SUBPROCESSORS_SCHEMA, role: 'app', poolSize: 1 }).initialize();
  });
  afterAll(async () => {
    await Promise.all(receivers.map((receiver) => receiver.stop()));
    await app.destroy();
    await stack.stop();
    await closeAdmin();
  });

  const receiver = async (answer?: Answer) => {
    const started = await startWebhookReceiver(answer);
    receivers.push(started);
    return started;
  };
  const subscribe = async (credential: string, to: WebhookReceiver, types = ANNOUNCED) => {
    const created = ok(await gql(CREATE, { url: to.url, types }, credential)).createWebhookSubscription;
    to.useSecret(created.secret);
    return created as { secret: string; subscription: { id: string; url: string } };
  };
  const listed = async (credential: string) => ok(await gql(LIST, {}, credential)).webhookSubscriptions as Array<{ id: string; lastDeliveryAt: string | null; lastDeliveryStatus: number | null; deliveries: { totalCount: number; nodes: Array<Record<string, unknown>> } }>;
  const until = async <T>(probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> => {
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(100)) {
      const found = await probe();
      if (found !== undefined) return found;
    }
    throw new Error('not within time');
  };
  /** What the register core writes in the transaction of an announced change: one message on the event topic. */
  const registerEvent = (tenant: AuthPayload['tenant'] = owner.tenant, type: SubprocessorEvent['type'] = 'subprocessor.change_announced'): SubprocessorEvent => {
    const now = new Date().toISOString();
    return {
      id: randomUUID(),
      type,
      occurredAt: now,
      tenant: { slug: tenant.slug },
      change: { id: randomUUID(), kind: 'REMOVED', status: 'ANNOUNCED', announcedAt: now, effectiveAt: now, objectionDeadline: now, before: { name: 'Old CDN' }, after: null },
    };
  };
  const emit = (event: SubprocessorEvent, tenantId = owner.tenant.id, messageId = event.id) =>
    withTenant(app, tenantId, (tx) =>
      enqueue(tx, SUBPROCESSORS_SCHEMA, { id: messageId, topic: SUBPROCESSOR_EVENT_TOPIC, tenantId, occurredAt: event.occurredAt, payload: event }),
    );
  const logOf = async (credential: string, id: string) => (await listed(credential)).find((s) => s.id === id)!;
  const auditSubjects = async (action: string) =>
    ok(await gql('query ($a: String!) { auditEvents(filter: { action: $a }, first: 200) { nodes { subjectId actorKind service data } } }', { a: action }, owner.accessToken)).auditEvents
      .nodes as Array<{ subjectId: string; actorKind: string; service: string; data: Record<string, unknown> }>;

  it('lets a partner key subscribe, sign and read its delivery log; the change service’s event reaches it signed', async () => {
    const to = await receiver();
    const created = await subscribe(partnerKey, to);
    expect(created.secret).toMatch(/^whsec_/);

    const event = registerEvent();
    await emit(event);
    const [delivery] = await until(async () => (to.received.length ? to.received : undefined));
    expect(delivery.signatureValid).toBe(true);
    expect(delivery.headers['x-event-id']).toBe(event.id);
    expect(JSON.parse(delivery.body)).toEqual(event);

    const [mine] = await until(async () => {
      const subscriptions = await listed(partnerKey);
      return subscriptions[0]?.lastDeliveryStatus ? subscriptions : undefined;
    });
    expect(mine).toMatchObject({
      id: created.subscription.id,
      lastDeliveryStatus: 204,
      deliveries: { totalCount: 1, nodes: [{ eventId: event.id, eventType: event.type, attempt: 1, outcome: 'DELIVERED', httpStatus: 204, error: null }] },
    });

    // Creation and deletion are in the tenant's audit log, with the partner key as actor.
    const createdEvents = await until(async () => {
      const events = await auditSubjects('webhook.subscription_created');
      return events.some((e) => e.subjectId === created.subscription.id) ? events : undefined;
    });
    expect(createdEvents.find((e) => e.subjectId === created.subscription.id)).toMatchObject({
      actorKind: 'API_KEY',
      service: 'subprocessors',
      data: { url: to.url, eventTypes: ANNOUNCED, ownerKind: 'API_KEY' },
    });
    expect(ok(await gql(DELETE, { id: created.subscription.id }, partnerKey))).toEqual({ deleteWebhookSubscription: true });
    await until(async () => ((await auditSubjects('webhook.subscription_deleted')).some((e) => e.subjectId === created.subscription.id) ? true : undefined));
    expect(await listed(partnerKey)).toEqual([]);
  });

  it('shows each partner its own, OWNER all; refuses other roles; another tenant sees and deletes nothing', async () => {
    const to = await receiver();
    const a = await subscribe(partnerKey, to);
    const b = await subscribe(otherPartnerKey, to);
    const m = await subscribe(memberPartner.accessToken, to);
    const ids = async (credential: string) => (await listed(credential)).map((s) => s.id).sort();

    expect(await ids(partnerKey)).toEqual([a.subscription.id]);
    expect(await ids(otherPartnerKey)).toEqual([b.subscription.id]);
    expect(await ids(memberPartner.accessToken)).toEqual([m.subscription.id]);
    expect(await ids(owner.accessToken)).toEqual([a, b, m].map((c) => c.subscription.id).sort());
    expect(await ids(foreignOwner.accessToken)).toEqual([]);
    expect(codeOf(await gql(LIST, {}, member.accessToken))).toBe('FORBIDDEN');
    expect(codeOf(await gql(CREATE, { url: to.url, types: ANNOUNCED }, member.accessToken))).toBe('FORBIDDEN');
    expect(codeOf(await gql(LIST, {}))).toBe('UNAUTHENTICATED');

    expect(codeOf(await gql(DELETE, { id: a.subscription.id }, otherPartnerKey))).toBe('NOT_FOUND');
    expect(codeOf(await gql(DELETE, { id: a.subscription.id }, foreignOwner.accessToken))).toBe('NOT_FOUND');
    expect(codeOf(await gql(DELETE, { id: a.subscription.id }, member.accessToken))).toBe('FORBIDDEN');
    const { rows } = await admin().query(`SELECT count(*)::int AS live FROM subprocessors.webhook_subscriptions WHERE id = $1 AND deleted_at IS NULL`, [a.subscription.id]);
    expect(rows[0].live).toBe(1);
    expect(ok(await gql(DELETE, { id: b.subscription.id }, owner.accessToken))).toEqual({ deleteWebhookSubscription: true });
    expect(await ids(otherPartnerKey)).toEqual([]);
  });

  it('delivers an event to each matching subscription of the tenant only, once however often the event comes', async () => {
    const [announced, effective, elsewhere] = [await receiver(), await receiver(), await receiver()];
    const a = await subscribe(await partnerApiKey('Announcements'), announced, ['subprocessor.change_announced']);
    await subscribe(await partnerApiKey('Effective dates'), effective, ['subprocessor.change_effective']);
    await subscribe(foreignOwner.accessToken, elsewhere, ['subprocessor.change_announced']);

    const event = registerEvent();
    await emit(event);
    // The same event again (a producer's retry under another message id): no second delivery.
    await emit(event, owner.tenant.id, randomUUID());
    await until(async () => (announced.received.length ? true : undefined));
    await sleep(800);

    expect(announced.received).toHaveLength(1);
    const [delivery] = announced.received;
    expect(delivery.signatureValid).toBe(true);
    expect(delivery.headers).toMatchObject({ 'x-event-id': event.id, 'x-event-type': 'subprocessor.change_announced', 'content-type': 'application/json' });
    // The body's keys in the contract's order: {"id", "type", "occurredAt", "tenant", "change"}.
    expect(Object.keys(JSON.parse(delivery.body))).toEqual(['id', 'type', 'occurredAt', 'tenant', 'change']);
    expect([effective.received.length, elsewhere.received.length]).toEqual([0, 0]);
    expect((await logOf(owner.accessToken, a.subscription.id)).deliveries.totalCount).toBe(1);
  });

  it('retries a failing receiver with backoff and the same event id until it accepts, logging every attempt', async () => {
    const flaky = await receiver((response, n) => response.writeHead([500, 404][n] ?? 200).end('ok'));
    const key = await partnerApiKey('Flaky receiver');
    const created = await subscribe(key, flaky);
    const event = registerEvent();
    await emit(event);
    await until(async () => (flaky.received.length >= 3 ? true : undefined));
    await sleep(300);

    expect(flaky.received.map((r) => r.headers['x-event-id'])).toEqual([event.id, event.id, event.id]);
    expect(new Set(flaky.received.map((r) => r.body)).size).toBe(1);
    expect(flaky.received.every((r) => r.signatureValid)).toBe(true);
    const mine = await until(async () => {
      const log = await logOf(key, created.subscription.id);
      return log.deliveries.totalCount === 3 ? log : undefined;
    });
    expect(mine.lastDeliveryStatus).toBe(200);
    expect(mine.deliveries.nodes.map((d) => [d.attempt, d.outcome, d.httpStatus])).toEqual([
      [3, 'DELIVERED', 200],
      [2, 'FAILED', 404],
      [1, 'FAILED', 500],
    ]);
  });

  it('keeps delivering to other subscriptions while one receiver is down', async () => {
    const down = await receiver(answerWith(503));
    const up = await receiver();
    await subscribe(await partnerApiKey('Down'), down);
    await subscribe(await partnerApiKey('Up'), up);
    const events = [registerEvent(), registerEvent(), registerEvent()];
    for (const event of events) await emit(event);
    await until(async () => (up.received.length === 3 ? true : undefined));
    expect(up.received.map((r) => r.headers['x-event-id']).sort()).toEqual(events.map((e) => e.id).sort());
    expect(down.received.length).toBeGreaterThanOrEqual(3);
  });

  it('stops delivering to a deleted subscription, and to one whose API key or membership was revoked (logged as skipped)', async () => {
    const [deleted, revokedKey, revokedMember] = [await receiver(), await receiver(), await receiver()];
    const deletedKey = await partnerApiKey('Deleted');
    const removed = await subscribe(deletedKey, deleted);
    ok(await gql(DELETE, { id: removed.subscription.id }, deletedKey));

    const key = await createPartnerKey('Revoked');
    const ofKey = await subscribe(key.secret, revokedKey);
    const leaver = await joinTenant(gql, owner.accessToken, 'PARTNER');
    const ofMember = await subscribe(leaver.accessToken, revokedMember);
    ok(await gql('mutation ($id: ID!) { revokeApiKey(id: $id) { id } }', { id: key.apiKey.id }, owner.accessToken));
    const members = ok(await gql('{ members(first: 200) { nodes { id user { id } } } }', {}, owner.accessToken)).members.nodes as Array<{ id: string; user: { id: string } }>;
    const membership = members.find((m) => m.user.id === leaver.user.id)!;
    ok(await gql('mutation ($id: ID!) { revokeMembership(membershipId: $id, reason: "contract ended") { id } }', { id: membership.id }, owner.accessToken));

    const event = registerEvent();
    await emit(event);
    const skipped = async (id: string) => {
      const { rows } = await admin().query(`SELECT outcome, error, http_status FROM subprocessors.webhook_deliveries WHERE subscription_id = $1 AND event_id = $2`, [id, event.id]);
      return rows.length ? rows : undefined;
    };
    expect(await until(() => skipped(ofKey.subscription.id))).toEqual([{ outcome: 'SKIPPED', error: 'owner_inactive', http_status: null }]);
    expect(await until(() => skipped(ofMember.subscription.id))).toEqual([{ outcome: 'SKIPPED', error: 'owner_inactive', http_status: null }]);
    await sleep(500);
    expect([deleted.received.length, revokedKey.received.length, revokedMember.received.length]).toEqual([0, 0, 0]);
    // The skip is no delivery: the admin sees it in the log, but lastDeliveryAt stays empty.
    expect(await logOf(owner.accessToken, ofKey.subscription.id)).toMatchObject({ lastDeliveryAt: null, lastDeliveryStatus: null, deliveries: { totalCount: 1, nodes: [{ outcome: 'SKIPPED' }] } });
  });

  it('answers bad input with BAD_USER_INPUT naming the field, through the gateway, and creates nothing', async () => {
    const before = (await listed(partnerKey)).length;
    for (const [url, types, field] of [
      ['ftp://example.com/hooks', ANNOUNCED, 'url'],
      ['http://169.254.169.254/latest/meta-data', ANNOUNCED, 'url'],
      [`https://example.com/${'a'.repeat(2049)}`, ANNOUNCED, 'url'],
      ['http://127.0.0.1:9/hooks', ['subprocessor.change_announced', 'subprocessor.change_announced'], 'eventTypes[1]'],
      ['http://127.0.0.1:9/hooks', ['everything'], 'eventTypes[0]'],
    ] as const) {
      const answer = await gql(CREATE, { url, types }, partnerKey);
      expect(codeOf(answer)).toBe('BAD_USER_INPUT');
      expect(answer.errors![0].message.startsWith(field)).toBe(true);
    }
    expect(await listed(partnerKey)).toHaveLength(before);
  });
});
