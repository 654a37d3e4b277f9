import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DataSource } from 'typeorm';
import { admin, closeAdmin } from '@compliance-graph/testing';
import { ConsumerRefused, httpDelivery, startOutboxRelay } from '../src';
import { connect, enqueueFor, message, migrateProbeSchema, recordingLogger, storedRows } from './relay-fixtures';

const SCHEMA = 'outbox_http_probe';
const TOKEN = 'internal-service-token-do-not-log';

type Answer = 'ok' | 'server error' | 'no answer' | 400 | 401 | 429;

/** A consumer endpoint on a real socket that records each request and answers as told. */
async function startConsumer() {
  const requests: { headers: IncomingHttpHeaders; body: unknown }[] = [];
  const state = { answer: 'ok' as Answer };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({ headers: request.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      if (state.answer === 'no answer') return;
      response.writeHead(state.answer === 'ok' ? 202 : typeof state.answer === 'number' ? state.answer : 500, { 'content-type': 'application/json' });
      response.end(JSON.stringify(state.answer === 'ok' ? { accepted: true } : { error: 'boom' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/internal/audit/ingest`;
  const close = () => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { url, requests, state, close };
}

describe('httpDelivery', () => {
  let consumer: Awaited<ReturnType<typeof startConsumer>>;
  const tenant = randomUUID();
  const batch = [message(tenant, 'audit', { n: 1 }), message(tenant, 'audit', { n: 2 })];

  beforeAll(async () => {
    consumer = await startConsumer();
  });
  beforeEach(() => {
    consumer.requests.length = 0;
    consumer.state.answer = 'ok';
  });
  afterAll(() => consumer.close());

  it('POSTs the topic and messages as JSON with the service credential as bearer', async () => {
    await httpDelivery({ url: consumer.url, token: TOKEN })('audit', batch);

    expect(consumer.requests).toHaveLength(1);
    const [{ headers, body }] = consumer.requests;
    expect(headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(headers['content-type']).toBe('application/json');
    expect(body).toEqual({ topic: 'audit', messages: batch });
  });

  it('fails on a non-2xx answer with the status, and without the credential', async () => {
    consumer.state.answer = 'server error';
    const failure = await httpDelivery({ url: consumer.url, token: TOKEN })('audit', batch).catch((error: Error) => error);

    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/HTTP 500$/);
    expect((failure as Error).message).not.toContain(TOKEN);
  });

  it('reports a 4xx about the messages as ConsumerRefused, and a 401 or 429 as an ordinary failure', async () => {
    const outcome = async (answer: Answer) => {
      consumer.state.answer = answer;
      return httpDelivery({ url: consumer.url, token: TOKEN })('audit', batch).catch((error: Error) => error);
    };
    const refused = await outcome(400);
    expect(refused).toBeInstanceOf(ConsumerRefused);
    expect((refused as Error).message).toMatch(/HTTP 400$/);
    for (const answer of [401, 429, 'server error'] as const) {
      const failure = await outcome(answer);
      expect(failure).toBeInstanceOf(Error);
      expect(failure).not.toBeInstanceOf(ConsumerRefused);
    }
  });

  it('fails when the consumer does not answer in time, and without the credential', async () => {
    consumer.state.answer = 'no answer';
    const startedAt = Date.now();
    const failure = await httpDelivery({ url: consumer.url, token: TOKEN, timeoutMs: 100 })('audit', batch).catch((error: Error) => error);

    expect((failure as Error).message).toMatch(/no answer within 100 ms$/);
    expect((failure as Error).message).not.toContain(TOKEN);
    expect(Date.now() - startedAt).toBeLessThan(2_000);
  });

  it('fails when nothing listens, naming the cause', async () => {
    const gone = await startConsumer();
    await gone.close();
    await expect(httpDelivery({ url: gone.url, token: TOKEN })('audit', batch)).rejects.toThrow(/ECONNREFUSED$/);
  });

  describe('as the relay’s transport', () => {
    let app: DataSource;
    let worker: DataSource;

    beforeAll(async () => {
      await migrateProbeSchema(SCHEMA);
      [app, worker] = await Promise.all([connect(SCHEMA, 'app'), connect(SCHEMA, 'worker')]);
    });
    afterAll(async () => {
      await Promise.all([app.destroy(), worker.destroy()]);
      await closeAdmin();
    });

    it('delivers pending rows to the consumer, and keeps them with the status while it fails', async () => {
      const relayTenant = randomUUID();
      const enqueued = await enqueueFor(app, SCHEMA, relayTenant, 'audit', 'audit', 'audit');
      consumer.state.answer = 'server error';
      const relay = startOutboxRelay({
        dataSource: worker,
        schema: SCHEMA,
        consumers: [{ topic: 'audit', deliver: httpDelivery({ url: consumer.url, token: TOKEN, timeoutMs: 1_000 }) }],
        logger: recordingLogger(),
        pollIntervalMs: 60_000,
      });
      try {
        await relay.drain();
        const failed = (await storedRows(SCHEMA)).filter((row) => row.tenant_id === relayTenant);
        expect(failed.map((row) => [row.delivered, row.attempts])).toEqual([
          [false, 1],
          [false, 1],
          [false, 1],
        ]);
        expect(failed[0].last_error).toMatch(/HTTP 500$/);
        expect(failed[0].last_error).not.toContain(TOKEN);

        consumer.state.answer = 'ok';
        consumer.requests.length = 0;
        await admin().query(`UPDATE ${SCHEMA}.outbox SET next_attempt_at = now() WHERE tenant_id = $1`, [relayTenant]);
        await relay.drain();
        expect(consumer.requests.map((request) => request.body)).toEqual([{ topic: 'audit', messages: enqueued }]);
        expect((await storedRows(SCHEMA)).every((row) => row.delivered)).toBe(true);
      } finally {
        await relay.stop();
      }
    });
  });
});
