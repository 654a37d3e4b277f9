import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DataSource } from 'typeorm';
import { createLogger } from '@compliance-graph/config';
import { createDataSource } from '@compliance-graph/db';
import type { OutboxMessage } from '@compliance-graph/outbox';
import type { RunningSubgraph } from '@compliance-graph/runtime';
import {
  TEST_WEBHOOK_SECRET_KEY,
  admin,
  answerWith,
  startWebhookReceiver,
  type WebhookReceiver as Receiver,
  closeAdmin,
  executeOnSubgraph,
  principal,
  testDatabaseUrl,
} from '@compliance-graph/testing';
import { parseEncryptionKey } from '@compliance-graph/auth';
import { SUBPROCESSORS_SCHEMA } from '../src';
import { subprocessorsEntities } from '../src/entities';
import { sealWebhookSecret } from '../src/webhook/webhook-secret';
import type { ResolveHost } from '../src/webhook/webhook-address';
import { createWebhookClient, type WebhookClient } from '../src/webhook/webhook-client';
import { WEBHOOK_DELIVERY_TOPIC, WebhookDeliveryService } from '../src/webhook/webhook-delivery.service';
import { registerEvent, startWithoutRelay } from './webhook-fixtures';

const CREATE = `mutation ($url: String!) { createWebhookSubscription(url: $url, eventTypes: ["subprocessor.change_announced"]) { secret subscription { id url } } }`;
const PUBLIC_ADDRESS = '93.184.215.14';

/**
 * The delivery rules with the real client against real receivers: timeouts, the answer's size
 * cap, redirects, giving up, and production mode's address rules at creation and at delivery
 * (a resolver injected as the service's dependency plays public, private and rebinding names).
 * Deliveries are driven here, not by a relay, so the relay of another test process on the
 * shared database cannot take them with its own settings.
 */
describe('webhook delivery rules', () => {
  let production: RunningSubgraph<unknown>;
  let app: DataSource;
  const receivers: Receiver[] = [];
  const clients: WebhookClient[] = [];
  const lookups: string[] = [];
  /** Names the tests resolve: public ones, private ones, and one that answers public first and loopback after. */
  const answers: Record<string, string[][]> = {};
  const resolver: ResolveHost = async (hostname) => {
    lookups.push(hostname);
    const queue = answers[hostname];
    if (!queue?.length) throw Object.assign(new Error(`${hostname} not found`), { code: 'ENOTFOUND' });
    return queue.length > 1 ? queue.shift()! : queue[0];
  };

  beforeAll(async () => {
    production = await startWithoutRelay('production', { resolveHost: resolver });
    app = await createDataSource({ databaseUrl: testDatabaseUrl(), schema: SUBPROCESSORS_SCHEMA, role: 'app', poolSize: 2, entities: subprocessorsEntities }).initialize();
  });
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((receiver) => receiver.stop()));
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });
  afterAll(async () => {
    await production.stop();
    await app.destroy();
    await closeAdmin();
  });

  const receiver = async (...args: Parameters<typeof startWebhookReceiver>) => {
    const started = await startWebhookReceiver(...args);
    receivers.push(started);
    return started;
  };
  const client = (options: Partial<Parameters<typeof createWebhookClient>[0]> = {}) => {
    const made = createWebhookClient({ production: false, resolve: resolver, timeoutMs: 2_000, maxResponseBytes: 1024, ...options });
    clients.push(made);
    return made;
  };
  // Every owner stands here: identity's real answer, and a revoked owner's skip, are the e2e spec's.
  const owners = { principal: async () => ({ name: 'Partner', role: 'PARTNER' as const, active: true }) };
  const deliveries = (webhookClient: WebhookClient, retryWindowMs = 86_400_000) =>
    new WebhookDeliveryService(app, { secretKey: parseEncryptionKey(TEST_WEBHOOK_SECRET_KEY), client: webhookClient, retryWindowMs, owners, logger: createLogger('test', 'error') });
  const deliveryMessage = (tenantId: string, subscriptionId: string, occurredAt = new Date()): OutboxMessage => ({
    id: randomUUID(),
    topic: WEBHOOK_DELIVERY_TOPIC,
    tenantId,
    occurredAt: occurredAt.toISOString(),
    payload: { subscriptionId, event: registerEvent() } as never,
  });
  const log = async (subscriptionId: string) =>
    (await admin().query(`SELECT attempt, outcome, http_status, error FROM subprocessors.webhook_deliveries WHERE subscription_id = $1 ORDER BY attempted_at, attempt`, [subscriptionId])).rows;
  /** A subscription written as the development service would accept it (loopback receivers). */
  const storedSubscription = async (tenantId: string, url: string) => {
    const id = randomUUID();
    await admin().query(
      `INSERT INTO subprocessors.webhook_subscriptions (id, tenant_id, owner_kind, owner_id, url, event_types, secret_sealed, created_at)
       VALUES ($1, $2, 'API_KEY', $3, $4, ARRAY['subprocessor.change_announced'], $5, now())`,
      [id, tenantId, randomUUID(), url, sealWebhookSecret(parseEncryptionKey(TEST_WEBHOOK_SECRET_KEY), id, 'whsec_test-secret')],
    );
    return id;
  };

  describe('the client', () => {
    it('connects to the address its own lookup checked, keeping the name for the Host header', async () => {
      const local = await receiver();
      answers['partner-hooks.example'] = [['127.0.0.1']];
      lookups.length = 0;
      expect(await client().post(`http://partner-hooks.example:${local.port}/hooks`, '{}', {})).toMatchObject({ status: 204, error: null });
      expect(lookups).toEqual(['partner-hooks.example']);
      expect(local.received[0].headers.host).toBe(`partner-hooks.example:${local.port}`);
    });

    it('gives up on a receiver that does not answer in time, as a timeout without a status', async () => {
      const silent = await receiver(() => undefined);
      const started = Date.now();
      expect(await client({ timeoutMs: 300 }).post(silent.url, '{}', {})).toMatchObject({ status: null, error: 'timeout' });
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(silent.received).toHaveLength(1);
    });

    it('cuts off an answer over the size cap, and takes one within it', async () => {
      const chatty = await receiver((response) => response.writeHead(200).end('x'.repeat(1_000_000)));
      expect(await client({ maxResponseBytes: 1024 }).post(chatty.url, '{}', {})).toMatchObject({ status: null, error: 'too_large' });
      const brief = await receiver((response) => response.writeHead(200).end('x'.repeat(1024)));
      expect(await client({ maxResponseBytes: 1024 }).post(brief.url, '{}', {})).toMatchObject({ status: 200, error: null });
    });

    it('does not follow a redirect: the 3xx is the answer and the other host hears nothing', async () => {
      const target = await receiver();
      const redirecting = await receiver((response) => response.writeHead(302, { location: target.url }).end());
      expect(await client().post(redirecting.url, '{}', {})).toMatchObject({ status: 302, error: null });
      expect(target.received).toHaveLength(0);
    });

    it('reports a refused connection and a name that does not resolve by short codes', async () => {
      const closed = await new Promise<Server>((resolve) => {
        const server = createServer();
        server.listen(0, '127.0.0.1', () => resolve(server));
      });
      const { port } = closed.address() as AddressInfo;
      await new Promise((resolve) => closed.close(resolve));
      expect(await client().post(`http://127.0.0.1:${port}/`, '{}', {})).toMatchObject({ status: null, error: 'refused' });
      expect(await client().post('http://nowhere.example/', '{}', {})).toMatchObject({ status: null, error: 'dns' });
    });

    it('ignores a proxy configured in the environment', async () => {
      const proxy = await receiver(answerWith(502));
      const target = await receiver();
      const saved = { HTTP_PROXY: process.env.HTTP_PROXY, http_proxy: process.env.http_proxy };
      process.env.HTTP_PROXY = process.env.http_proxy = `http://127.0.0.1:${proxy.port}`;
      try {
        expect(await client().post(target.url, '{}', {})).toMatchObject({ status: 204 });
      } finally {
        for (const [name, value] of Object.entries(saved)) if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      expect([proxy.received.length, target.received.length]).toEqual([0, 1]);
    });
  });

  describe('in production', () => {
    const partner = () => principal(randomUUID(), 'PARTNER', { kind: 'API_KEY' });
    const create = (url: string) => executeOnSubgraph(production, CREATE, { url }, { principal: partner() });
    const productionClient = () => client({ production: true });

    it.each([
      ['plain http', 'http://hooks.partner.example/x', 'url must use https'],
      ['a loopback address', 'https://127.0.0.1/x', 'loopback'],
      ['IPv6 loopback', 'https://[::1]/x', 'loopback'],
      ['a private address', 'https://10.0.0.7/x', 'private'],
      ['an IPv4-mapped private address', 'https://[::ffff:192.168.1.1]/x', 'private'],
      ['an IPv4-mapped loopback address (hex form)', 'https://[::ffff:7f00:1]/x', 'loopback'],
      ['a link-local address', 'https://169.254.169.254/x', 'linkLocal'],
      ['CGNAT 100.64/10', 'https://100.64.0.1/x', 'carrierGradeNat'],
      ['0.0.0.0/8', 'https://0.1.2.3/x', 'unspecified'],
      ['unique-local fc00::/7', 'https://[fd00::1]/x', 'uniqueLocal'],
      ['multicast', 'https://224.0.0.1/x', 'multicast'],
      ['a name resolving to a private address', 'https://internal.partner.example/x', 'private'],
      ['a name with one public and one loopback address', 'https://mixed.partner.example/x', 'loopback'],
      ['a decimal IPv4 spelling of loopback', 'https://2130706433/x', 'loopback'],
    ])('refuses %s at creation', async (_case, url, reason) => {
      answers['internal.partner.example'] = [['10.1.2.3']];
      answers['mixed.partner.example'] = [[PUBLIC_ADDRESS, '127.0.0.1']];
      const result = await create(url);
      expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(result.errors![0].message).toMatch(/^url/);
      expect(result.errors![0].message).toContain(reason);
    });

    it('accepts https to a name whose every address is global unicast', async () => {
      answers['hooks.partner.example'] = [[PUBLIC_ADDRESS, '2001:4860:4860::8888']];
      const result = await create('https://hooks.partner.example/compliance?token=abc');
      expect(result.errors).toBeUndefined();
      expect(result.data!.createWebhookSubscription.subscription.url).toBe('https://hooks.partner.example/compliance?token=abc');
    });

    it('refuses at delivery a name that resolves to loopback by then (DNS rebinding), and never connects to it', async () => {
      const local = await receiver();
      const name = `rebind-${randomUUID().slice(0, 8)}.partner.example`;
      // Public when the subscription is created, the receiver's loopback address at delivery.
      answers[name] = [[PUBLIC_ADDRESS], ['127.0.0.1']];
      const tenant = randomUUID();
      const result = await executeOnSubgraph(production, CREATE, { url: `https://${name}:${local.port}/hooks` }, { principal: principal(tenant, 'PARTNER', { kind: 'API_KEY' }) });
      expect(result.errors).toBeUndefined();
      const id = result.data!.createWebhookSubscription.subscription.id;
      lookups.length = 0;

      await expect(deliveries(productionClient()).deliver(deliveryMessage(tenant, id))).rejects.toThrow('webhook delivery failed: address_refused');
      expect(lookups).toEqual([name]);
      expect(local.received).toHaveLength(0);
      expect(await log(id)).toEqual([{ attempt: 1, outcome: 'FAILED', http_status: null, error: 'address_refused' }]);
    });

    it('refuses at delivery a stored loopback or private URL, literal or by name', async () => {
      const local = await receiver();
      answers['private.partner.example'] = [['192.168.0.10']];
      for (const url of [local.url, `http://[::ffff:127.0.0.1]:${local.port}/hooks`, 'https://private.partner.example/hooks']) {
        const tenant = randomUUID();
        const id = await storedSubscription(tenant, url);
        await expect(deliveries(productionClient()).deliver(deliveryMessage(tenant, id))).rejects.toThrow('address_refused');
        expect(await log(id)).toEqual([{ attempt: 1, outcome: 'FAILED', http_status: null, error: 'address_refused' }]);
      }
      expect(local.received).toHaveLength(0);
    });
  });

  describe('retries', () => {
    it('logs a failed attempt and throws, so the relay retries it; after the retry window it logs the give-up and stops', async () => {
      const failing = await receiver(answerWith(500));
      const tenant = randomUUID();
      const id = await storedSubscription(tenant, failing.url);
      const service = deliveries(client());
      const message = deliveryMessage(tenant, id, new Date(Date.now() - 23 * 3600_000));
      await expect(service.deliver(message)).rejects.toThrow('webhook delivery failed: HTTP 500');
      await expect(service.deliver({ ...message, occurredAt: new Date(Date.now() - 24 * 3600_000 - 1000).toISOString() })).resolves.toBeUndefined();
      expect(await log(id)).toEqual([
        { attempt: 1, outcome: 'FAILED', http_status: 500, error: null },
        { attempt: 2, outcome: 'GAVE_UP', http_status: 500, error: null },
      ]);
      expect(failing.received.map((r) => r.headers['x-event-id'])).toEqual([(message.payload as { event: { id: string } }).event.id, (message.payload as { event: { id: string } }).event.id]);
    });
  });
});
