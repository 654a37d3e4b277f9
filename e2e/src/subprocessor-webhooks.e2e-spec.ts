import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import { createDataSource, withTenant } from '@compliance-graph/db';
import { enqueue } from '@compliance-graph/outbox';
import { SUBPROCESSORS_SCHEMA, SUBPROCESSOR_EVENT_TOPIC, type SubprocessorEvent } from '@compliance-graph/subprocessors';
import { admin, closeAdmin, startWebhookReceiver, testDatabaseUrl, type WebhookReceiver } from '@compliance-graph/testing';
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
  const partnerApiKey = async (name: string) =>
    ok(
      await gql(
        'mutation ($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }',
        { i: { name, role: 'PARTNER', expiresAt: new Date(Date.now() + 30 * 86400_000).toISOString() } },
        owner.accessToken,
      ),
    ).createApiKey.secret as string;

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

  const receiver = async () => {
    const started = await startWebhookReceiver();
    receivers.push(started);
    return started;
  };
  const subscribe = async (credential: string, to: WebhookReceiver, types = ANNOUNCED) => {
    const created = ok(await gql(CREATE, { url: to.url, types }, credential)).createWebhookSubscription;
    to.useSecret(created.secret);
    return created as { secret: string; subscription: { id: string; url: string } };
  };
  const listed = async (credential: string) => ok(await gql(LIST, {}, credential)).webhookSubscriptions as Array<{ id: string; lastDeliveryStatus: number | null; deliveries: { totalCount: number; nodes: Array<Record<string, unknown>> } }>;
  const until = async <T>(probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> => {
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(100)) {
      const found = await probe();
      if (found !== undefined) return found;
    }
    throw new Error('not within time');
  };
  const auditSubjects = async (action: string) =>
    ok(await gql('query ($a: String!) { auditEvents(filter: { action: $a }, first: 200) { nodes { subjectId actorKind service data } } }', { a: action }, owner.accessToken)).auditEvents
      .nodes as Array<{ subjectId: string; actorKind: string; service: string; data: Record<string, unknown> }>;

  it('lets a partner key subscribe, sign and read its delivery log; the change service’s event reaches it signed', async () => {
    const to = await receiver();
    const created = await subscribe(partnerKey, to);
    expect(created.secret).toMatch(/^whsec_/);

    // What the register core writes in the transaction of an announced change.
    const now = new Date().toISOString();
    const event: SubprocessorEvent = {
      id: randomUUID(),
      type: 'subprocessor.change_announced',
      occurredAt: now,
      tenant: { slug: owner.tenant.slug },
      change: { id: randomUUID(), kind: 'REMOVED', status: 'ANNOUNCED', announcedAt: now, effectiveAt: now, objectionDeadline: now, before: { name: 'Old CDN' }, after: null },
    };
    await withTenant(app, owner.tenant.id, (tx) =>
      enqueue(tx, SUBPROCESSORS_SCHEMA, { id: event.id, topic: SUBPROCESSOR_EVENT_TOPIC, tenantId: owner.tenant.id, occurredAt: now, payload: event }),
    );
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
