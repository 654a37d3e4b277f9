import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import { admin, closeAdmin } from '@compliance-graph/testing';
import { ConsumerRefused, deadLetters, startOutboxRelay, type Deliver, type OutboxConsumer, type OutboxRelay, type OutboxRelayOptions } from '../src';
import {
  connect,
  enqueueFor,
  idsOf,
  migrateProbeSchema,
  pendingCount,
  receivedIds,
  receptionOf,
  recordingLogger,
  setNextAttempt,
  storedRow,
  storedRows,
  waitFor,
  type LogEntry,
  type Reception,
} from './relay-fixtures';

const SCHEMA = 'outbox_relay_probe';
const WORKER_APPLICATION = `cg-${SCHEMA}-worker`;

describe('outbox relay', () => {
  let app: DataSource;
  let worker: DataSource;
  const relays: OutboxRelay[] = [];
  const extraDataSources: DataSource[] = [];

  beforeAll(async () => {
    await migrateProbeSchema(SCHEMA);
    app = await connect(SCHEMA, 'app');
    worker = await connect(SCHEMA, 'worker');
  });
  beforeEach(async () => {
    await admin().query(`TRUNCATE ${SCHEMA}.outbox`);
  });
  afterEach(async () => {
    await Promise.all(relays.splice(0).map((relay) => relay.stop()));
    await Promise.all(extraDataSources.splice(0).map((dataSource) => dataSource.destroy()));
  });
  afterAll(async () => {
    await Promise.all([app.destroy(), worker.destroy()]);
    await closeAdmin();
  });

  type RelayOptions = Partial<Omit<OutboxRelayOptions, 'consumers'>> & Omit<OutboxConsumer, 'topic' | 'deliver'> & { topics?: string[] };

  /**
   * One consumer per topic (both topics the tests enqueue, unless `topics` says otherwise), all
   * calling `deliver`. Polling stays effectively off unless a test asks for it, so drain()
   * decides when delivery happens.
   */
  const relay = (deliver: Deliver, { topics = ['audit', 'webhook'], batchSize, maxBackoffMs, refusalsBeforeDead, ordering, ...options }: RelayOptions = {}) => {
    const started = startOutboxRelay({
      dataSource: worker,
      schema: SCHEMA,
      consumers: topics.map((topic) => ({ topic, deliver, batchSize, maxBackoffMs, refusalsBeforeDead, ordering })),
      logger: recordingLogger(),
      pollIntervalMs: 60_000,
      ...options,
    });
    relays.push(started);
    return started;
  };
  const auditBacklog = async (started: OutboxRelay) => (await started.backlog()).audit;

  /** A consumer that acknowledges everything and keeps what it got. */
  const recorder = () => {
    const receptions: Reception[] = [];
    const deliver: Deliver = async (topic, messages) => void receptions.push(receptionOf(topic, messages));
    return { receptions, deliver };
  };

  it('delivers every pending message in position order per tenant and topic, one call per tenant and topic', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const ofA = await enqueueFor(app, SCHEMA, a, 'audit', 'audit', 'audit', 'webhook', 'webhook', 'audit');
    const ofB = await enqueueFor(app, SCHEMA, b, 'audit', 'audit');
    const consumer = recorder();

    await relay(consumer.deliver).drain();

    const calls = (tenantId: string, topic: string) =>
      consumer.receptions.filter((r) => r.tenantId === tenantId && r.topic === topic).map((r) => r.ids);
    expect(calls(a, 'audit')).toEqual([idsOf([...ofA.slice(0, 3), ofA[5]])]);
    expect(calls(a, 'webhook')).toEqual([idsOf(ofA.slice(3, 5))]);
    expect(calls(b, 'audit')).toEqual([idsOf(ofB)]);
    expect(consumer.receptions).toHaveLength(3);
    expect((await storedRows(SCHEMA)).every((row) => row.delivered && row.attempts === 0)).toBe(true);
  });

  it('hands the consumer the messages as they were enqueued, at most batchSize per call', async () => {
    const tenant = randomUUID();
    const enqueued = await enqueueFor(app, SCHEMA, tenant, 'audit', 'audit', 'audit', 'audit', 'audit');
    const got: unknown[][] = [];
    await relay(async (_topic, messages) => void got.push(messages), { batchSize: 2 }).drain();

    expect(got.map((batch) => batch.length)).toEqual([2, 2, 1]);
    expect(got.flat()).toEqual(enqueued);
  });

  it('refuses two consumers of one topic', () => {
    expect(() => relay(async () => undefined, { topics: ['audit', 'audit'] })).toThrow(/two consumers of one topic/);
  });

  it('holds back no topic while the consumer of another one fails', async () => {
    const tenant = randomUUID();
    const enqueued = await enqueueFor(app, SCHEMA, tenant, 'webhook', 'audit', 'webhook', 'audit');
    const audit = recorder();
    const webhooksAreDown: Deliver = async () => {
      throw new Error('partner endpoint is down');
    };
    const started = startOutboxRelay({
      dataSource: worker,
      schema: SCHEMA,
      consumers: [
        { topic: 'audit', deliver: audit.deliver },
        { topic: 'webhook', deliver: webhooksAreDown, maxBackoffMs: 60_000 },
      ],
      logger: recordingLogger(),
      pollIntervalMs: 60_000,
    });
    relays.push(started);

    await started.drain();

    expect(receivedIds(audit.receptions)).toEqual(idsOf([enqueued[1], enqueued[3]]));
    expect(await started.backlog()).toEqual({
      audit: { pending: 0, oldestAgeSeconds: null, dead: 0 },
      webhook: { pending: 2, oldestAgeSeconds: expect.any(Number), dead: 0 },
    });
    expect((await storedRow(SCHEMA, enqueued[0].id)).last_error).toBe('partner endpoint is down');
  });

  it('sets aside a refused message after the refusals its consumer allows', async () => {
    const tenant = randomUUID();
    const [only] = await enqueueFor(app, SCHEMA, tenant, 'webhook');
    const started = relay(
      async () => {
        throw new ConsumerRefused('delivering failed: HTTP 410');
      },
      { topics: ['webhook'], refusalsBeforeDead: 1 },
    );
    await started.drain();
    expect(await started.backlog()).toMatchObject({ webhook: { pending: 0, dead: 1 } });
    expect((await deadLetters(worker, SCHEMA).list()).map((m) => m.id)).toEqual([only.id]);
  });

  it('delivers only its topics, and in order within them', async () => {
    const tenant = randomUUID();
    const enqueued = await enqueueFor(app, SCHEMA, tenant, 'webhook', 'audit', 'webhook', 'audit');
    const consumer = recorder();
    await relay(consumer.deliver, { topics: ['audit'] }).drain();

    expect(receivedIds(consumer.receptions)).toEqual(idsOf([enqueued[1], enqueued[3]]));
    expect((await storedRows(SCHEMA)).map((row) => row.delivered)).toEqual([false, true, false, true]);
  });

  it('unordered, retries a failing message on its own while the tenant\'s later messages go on, and delivers it once the consumer takes it', async () => {
    const tenant = randomUUID();
    const [failing, ...others] = await enqueueFor(app, SCHEMA, tenant, 'webhook', 'webhook', 'webhook');
    let refuseFailing = true;
    const receptions: Reception[] = [];
    const deliver: Deliver = async (topic, messages) => {
      if (refuseFailing && messages.some((m) => m.id === failing.id)) throw new Error('receiver is down');
      receptions.push(receptionOf(topic, messages));
    };
    const outbox = relay(deliver, { topics: ['webhook'], batchSize: 1, ordering: 'none' });

    await outbox.drain();
    expect(receivedIds(receptions)).toEqual(idsOf(others));
    expect(await storedRow(SCHEMA, failing.id)).toMatchObject({ attempts: 1, last_error: 'receiver is down', delivered: false });

    // Not due yet: a later message is delivered past it, and it is not tried again.
    await setNextAttempt(SCHEMA, failing.id, 60 * 60_000);
    const [late] = await enqueueFor(app, SCHEMA, tenant, 'webhook');
    await outbox.drain();
    expect(receivedIds(receptions)).toEqual(idsOf([...others, late]));
    expect((await storedRow(SCHEMA, failing.id)).attempts).toBe(1);

    refuseFailing = false;
    await setNextAttempt(SCHEMA, failing.id);
    await outbox.drain();
    expect(receivedIds(receptions)).toEqual(idsOf([...others, late, failing]));
    expect(await pendingCount(SCHEMA)).toBe(0);
  });

  describe('with a failing consumer', () => {
    it('backs the failing tenant off while other tenants go on, and delivers in order once the consumer recovers', async () => {
      const [a, b] = [randomUUID(), randomUUID()];
      const ofA = await enqueueFor(app, SCHEMA, a, 'audit', 'audit', 'audit');
      const ofB = await enqueueFor(app, SCHEMA, b, 'audit', 'audit');
      let consumerIsDown = true;
      const receptions: Reception[] = [];
      const attemptsOfA: string[][] = [];
      const deliver: Deliver = async (topic, messages) => {
        if (messages[0].tenantId === a) attemptsOfA.push(idsOf(messages));
        if (consumerIsDown && messages.some((m) => m.id === ofA[0].id)) throw new Error('consumer is down');
        receptions.push(receptionOf(topic, messages));
      };
      const maxBackoffMs = 4_000;
      const outbox = relay(deliver, { batchSize: 1, maxBackoffMs });

      await outbox.drain();
      expect(receivedIds(receptions, b)).toEqual(idsOf(ofB));
      expect(attemptsOfA).toEqual([[ofA[0].id]]);
      const first = await storedRow(SCHEMA, ofA[0].id);
      expect(first).toMatchObject({ attempts: 1, last_error: 'consumer is down', delivered: false });
      expect(first.retry_in_ms).toBeLessThanOrEqual(500);
      for (const later of ofA.slice(1)) expect(await storedRow(SCHEMA, later.id)).toMatchObject({ attempts: 0, delivered: false });

      // While the head backs off, the tenant's later messages wait although they are due themselves.
      await setNextAttempt(SCHEMA, ofA[0].id, 60 * 60_000);
      const [lateB] = await enqueueFor(app, SCHEMA, b, 'audit');
      await outbox.drain();
      expect(attemptsOfA).toHaveLength(1);
      expect(receivedIds(receptions, b)).toEqual(idsOf([...ofB, lateB]));

      // Each failure doubles the backoff's ceiling, up to maxBackoffMs.
      for (let failures = 2; failures <= 5; failures++) {
        await setNextAttempt(SCHEMA, ofA[0].id);
        await outbox.drain();
        const row = await storedRow(SCHEMA, ofA[0].id);
        expect(row.attempts).toBe(failures);
        expect(row.retry_in_ms).toBeLessThanOrEqual(Math.min(maxBackoffMs, 500 * 2 ** (failures - 1)));
      }
      expect(attemptsOfA.every((ids) => ids[0] === ofA[0].id)).toBe(true);

      consumerIsDown = false;
      await setNextAttempt(SCHEMA, ofA[0].id);
      await outbox.drain();
      expect(receivedIds(receptions, a)).toEqual(idsOf(ofA));
      expect(await pendingCount(SCHEMA)).toBe(0);
    });

    it('retries on its own with real backoff and delivers everything exactly once, in order', async () => {
      const [a, b] = [randomUUID(), randomUUID()];
      const ofA = await enqueueFor(app, SCHEMA, a, 'audit', 'audit', 'audit', 'audit', 'audit');
      const ofB = await enqueueFor(app, SCHEMA, b, 'audit', 'audit', 'audit', 'audit', 'audit');
      let failuresLeft = 3;
      const receptions: Reception[] = [];
      const deliver: Deliver = async (topic, messages) => {
        if (messages[0].tenantId === a && failuresLeft-- > 0) throw new Error('HTTP 503');
        receptions.push(receptionOf(topic, messages));
      };
      relay(deliver, { batchSize: 2, pollIntervalMs: 5, maxBackoffMs: 40 });

      await waitFor(async () => (await pendingCount(SCHEMA)) === 0);
      expect(receivedIds(receptions, a)).toEqual(idsOf(ofA));
      expect(receivedIds(receptions, b)).toEqual(idsOf(ofB));
      expect((await storedRow(SCHEMA, ofA[0].id)).attempts).toBe(3);
      expect((await storedRow(SCHEMA, ofB[0].id)).attempts).toBe(0);
    });

    it('keeps bearer credentials out of last_error and bounds its length', async () => {
      const tenant = randomUUID();
      const [only] = await enqueueFor(app, SCHEMA, tenant, 'audit');
      const deliver: Deliver = async () => {
        throw new Error(`rejected Authorization: Bearer s3cr3t-token ${'x'.repeat(2_000)}`);
      };
      await relay(deliver).drain();

      const { last_error } = await storedRow(SCHEMA, only.id);
      expect(last_error).toMatch(/^rejected Authorization: Bearer \[redacted\] x+$/);
      expect(last_error).not.toContain('s3cr3t');
      expect(last_error!.length).toBe(500);
    });
  });

  it('sets aside a message its consumer refuses (4xx) after 3 attempts, delivers the tenant’s later ones, counts, logs and replays it', async () => {
    const tenant = randomUUID();
    const [before, bad, ...after] = await enqueueFor(app, SCHEMA, tenant, 'audit', 'audit', 'audit', 'audit');
    const receptions: Reception[] = [];
    const refusing = { id: bad.id };
    const deliver: Deliver = async (topic, messages) => {
      if (messages.some((m) => m.id === refusing.id)) throw new ConsumerRefused('delivering failed: HTTP 400');
      receptions.push(receptionOf(topic, messages));
    };
    const logger = recordingLogger();
    const started = relay(deliver, { logger });
    const attempt = async () => {
      await admin().query(`UPDATE ${SCHEMA}.outbox SET next_attempt_at = clock_timestamp() WHERE tenant_id = $1`, [tenant]);
      await started.drain();
    };

    await attempt(); // the whole batch is refused: its head goes alone next
    await attempt(); // `before` alone is delivered, then [bad, ...after] refused: bad's first attempt
    expect(receivedIds(receptions)).toEqual([before.id]);
    await attempt(); // bad alone, refused: its second
    expect(await auditBacklog(started)).toMatchObject({ pending: 3, dead: 0 });
    await attempt(); // and its third: dead
    expect(await auditBacklog(started)).toMatchObject({ dead: 1 });
    await started.drain();
    expect(receivedIds(receptions)).toEqual([before.id, ...idsOf(after)]);
    expect(await auditBacklog(started)).toMatchObject({ pending: 0, dead: 1 });
    expect(logger.entries.filter((e) => e.level === 'error').map((e) => e.fields.messageId)).toEqual([bad.id]);

    const dead = deadLetters(worker, SCHEMA);
    expect((await dead.list()).map((m) => [m.id, m.tenantId, m.refusals])).toEqual([[bad.id, tenant, 3]]);
    expect((await dead.list())[0].lastError).toMatch(/HTTP 400/);
    refusing.id = 'none';
    expect(await dead.retry('all')).toEqual([bad.id]);
    await started.drain();
    expect(receivedIds(receptions)).toEqual([before.id, ...idsOf(after), bad.id]);
    expect(await auditBacklog(started)).toMatchObject({ pending: 0, dead: 0 });
    expect(await dead.list()).toEqual([]);
  });

  it('never sets aside a message for failures that are not refusals, however many', async () => {
    const tenant = randomUUID();
    const [only] = await enqueueFor(app, SCHEMA, tenant, 'audit');
    const started = relay(async () => {
      throw new Error('delivering failed: HTTP 503');
    });
    for (let n = 0; n < 5; n += 1) {
      await setNextAttempt(SCHEMA, only.id);
      await started.drain();
    }
    expect(await auditBacklog(started)).toMatchObject({ pending: 1, dead: 0 });
    expect((await storedRow(SCHEMA, only.id)).attempts).toBe(5);
  });

  describe('when a relay dies mid-batch', () => {
    /** A consumer that takes the batch and never answers, like a relay killed while waiting. */
    const hangingConsumer = () => {
      const calls: { ids: string[]; signal?: AbortSignal; answer: () => void }[] = [];
      const deliver: Deliver = (_topic, messages, signal) =>
        new Promise<void>((resolve) => calls.push({ ids: idsOf(messages), signal, answer: resolve }));
      return { calls, deliver };
    };

    it('stopping while the consumer has not answered leaves the rows to the next relay', async () => {
      const tenant = randomUUID();
      const enqueued = await enqueueFor(app, SCHEMA, tenant, 'audit', 'audit', 'audit');
      const hanging = hangingConsumer();
      const first = relay(hanging.deliver, { pollIntervalMs: 5, stopTimeoutMs: 20 });
      await waitFor(() => hanging.calls.length === 1);

      await first.stop();
      expect(hanging.calls[0].signal?.aborted).toBe(true);
      hanging.calls[0].answer(); // too late: the relay gave up and rolled back
      await sleep(20);
      expect((await storedRows(SCHEMA)).map((row) => [row.delivered, row.attempts])).toEqual([
        [false, 0],
        [false, 0],
        [false, 0],
      ]);

      const consumer = recorder();
      await relay(consumer.deliver).drain();
      expect(receivedIds(consumer.receptions)).toEqual(idsOf(enqueued));
    });

    it('a killed database session releases the tenant to the next relay, which delivers the rows', async () => {
      const tenant = randomUUID();
      const enqueued = await enqueueFor(app, SCHEMA, tenant, 'audit', 'audit');
      const hanging = hangingConsumer();
      const doomed = await connect(SCHEMA, 'worker');
      extraDataSources.push(doomed);
      relay(hanging.deliver, { dataSource: doomed, pollIntervalMs: 5, stopTimeoutMs: 20 });
      await waitFor(() => hanging.calls.length === 1);

      // Another relay cannot take the tenant while the first holds it.
      const consumer = recorder();
      const second = relay(consumer.deliver);
      await second.drain();
      expect(consumer.receptions).toEqual([]);

      const { rowCount } = await admin().query(
        `SELECT pg_terminate_backend(pid) FROM pg_locks
          WHERE locktype = 'advisory' AND granted
            AND pid IN (SELECT pid FROM pg_stat_activity WHERE application_name = $1)`,
        [WORKER_APPLICATION],
      );
      expect(rowCount).toBe(1);
      expect(await pendingCount(SCHEMA)).toBe(2);

      await waitFor(async () => {
        await second.drain();
        return consumer.receptions.length > 0;
      });
      expect(receivedIds(consumer.receptions)).toEqual(idsOf(enqueued));
      expect(await pendingCount(SCHEMA)).toBe(0);
    });
  });

  it('two relays on the same rows never deliver one tenant concurrently, and deliver each message once, in order', async () => {
    const tenants = Array.from({ length: 6 }, () => randomUUID());
    const enqueued = new Map<string, string[]>();
    for (const tenant of tenants) enqueued.set(tenant, idsOf(await enqueueFor(app, SCHEMA, tenant, ...Array(25).fill('audit'))));
    const busyTenants = new Set<string>();
    const receptions: Reception[] = [];
    const callsBy = { first: 0, second: 0 };
    let overlaps = 0;
    const consumerFor = (name: keyof typeof callsBy): Deliver => async (topic, messages) => {
      const tenant = messages[0].tenantId;
      if (busyTenants.has(tenant)) overlaps++;
      busyTenants.add(tenant);
      await sleep(Math.random() * 3);
      busyTenants.delete(tenant);
      receptions.push(receptionOf(topic, messages));
      callsBy[name]++;
    };
    const secondReplica = await connect(SCHEMA, 'worker');
    extraDataSources.push(secondReplica);

    relay(consumerFor('first'), { batchSize: 4, pollIntervalMs: 2 });
    relay(consumerFor('second'), { batchSize: 4, pollIntervalMs: 2, dataSource: secondReplica });
    await waitFor(async () => (await pendingCount(SCHEMA)) === 0);

    expect(overlaps).toBe(0);
    for (const tenant of tenants) expect(receivedIds(receptions, tenant)).toEqual(enqueued.get(tenant));
    expect(callsBy.first).toBeGreaterThan(0);
    expect(callsBy.second).toBeGreaterThan(0);
  });

  describe('backlog', () => {
    const consumerIsDown: Deliver = async () => {
      throw new Error('consumer is down');
    };

    it('counts undelivered messages of its topics and the age of the oldest', async () => {
      const [a, b] = [randomUUID(), randomUUID()];
      const [oldest] = await enqueueFor(app, SCHEMA, a, 'audit', 'audit');
      await enqueueFor(app, SCHEMA, b, 'webhook');
      await admin().query(`UPDATE ${SCHEMA}.outbox SET created_at = now() - interval '90 seconds' WHERE id = $1`, [oldest.id]);

      const outbox = relay(consumerIsDown);
      await outbox.drain();
      const { audit, webhook } = await outbox.backlog();
      expect(audit.pending).toBe(2);
      expect(audit.oldestAgeSeconds).toBeGreaterThanOrEqual(90);
      expect(audit.oldestAgeSeconds).toBeLessThan(100);
      expect(webhook.pending).toBe(1);
      expect(webhook.oldestAgeSeconds).toBeLessThan(10);
      expect(Object.keys(await relay(consumerIsDown, { topics: ['webhook'] }).backlog())).toEqual(['webhook']);

      await admin().query(`UPDATE ${SCHEMA}.outbox SET next_attempt_at = now()`);
      await relay(async () => undefined).drain();
      expect(await outbox.backlog()).toEqual({
        audit: { pending: 0, oldestAgeSeconds: null, dead: 0 },
        webhook: { pending: 0, oldestAgeSeconds: null, dead: 0 },
      });
    });

    it('warns once a minute at most while the oldest message is older than the threshold', async () => {
      await enqueueFor(app, SCHEMA, randomUUID(), 'audit');
      await enqueueFor(app, SCHEMA, randomUUID(), 'webhook');
      await admin().query(`UPDATE ${SCHEMA}.outbox SET created_at = now() - interval '90 seconds'`);
      const logger = recordingLogger();
      const quietLogger = recordingLogger();

      // One topic each, so neither relay's backoff delays the other's first poll.
      relay(consumerIsDown, { logger, topics: ['audit'], pollIntervalMs: 2 });
      relay(consumerIsDown, { logger: quietLogger, topics: ['webhook'], pollIntervalMs: 2, backlogWarningAgeSeconds: 120 });
      const polled = (entries: LogEntry[]) => entries.some((entry) => entry.msg.startsWith('outbox delivery failed'));
      await waitFor(() => polled(logger.entries) && polled(quietLogger.entries));
      await sleep(50); // a few dozen more polls, which must not warn again

      const warnings = (entries: LogEntry[]) => entries.filter((entry) => entry.msg === 'outbox backlog is falling behind');
      expect(warnings(logger.entries)).toEqual([
        {
          level: 'warn',
          msg: 'outbox backlog is falling behind',
          fields: expect.objectContaining({ schema: SCHEMA, topic: 'audit', pending: 1, oldestAgeSeconds: expect.any(Number) }),
        },
      ]);
      expect(warnings(quietLogger.entries)).toEqual([]);
    });
  });

  it('refuses to run on a connection that row-level security confines to one tenant', async () => {
    const logger = recordingLogger();
    const misconfigured = relay(async () => undefined, { dataSource: app, logger, pollIntervalMs: 2, topics: ['audit'] });

    await expect(misconfigured.drain()).rejects.toThrow(/must connect as the worker role/);
    await expect(misconfigured.backlog()).rejects.toThrow(/must connect as the worker role/);
    const errors = () => logger.entries.filter((entry) => entry.level === 'error');
    await waitFor(() => errors().length > 0);
    await sleep(30);
    expect(errors()).toEqual([expect.objectContaining({ msg: 'outbox relay not started' })]);
  });
});
