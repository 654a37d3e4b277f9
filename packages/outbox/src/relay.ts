import { SpanKind } from '@opentelemetry/api';
import type { DataSource, EntityManager } from 'typeorm';
import { inSpan, linkTo, type Logger } from '@compliance-graph/config';
import { backoffDelayMs } from './backoff';
import { REFUSALS_BEFORE_DEAD } from './enqueue';
import { ConsumerRefused } from './http-delivery';
import type { OutboxMessage } from './message';
import { outboxStore, type OutboxBacklog, type OutboxBatch, type OutboxStore } from './outbox-store';

/**
 * Hands one tenant's messages of one topic, in `position` order, to their consumer; throws
 * when the consumer did not take them, with ConsumerRefused when it refused the messages
 * themselves (they are then set aside after `refusalsBeforeDead` refusals, not retried
 * forever). The signal fires when the relay stops and gives up on this call, so a transport
 * can cancel it; the messages are delivered again later either way.
 */
export type Deliver = (topic: string, messages: OutboxMessage[], signal?: AbortSignal) => Promise<void>;

/**
 * One topic's consumer: the audit ingest, another service's internal endpoint or an outside
 * URL. Each consumer is delivered on its own, with its own backoff and dead letters, so an
 * outage of one never holds back another topic.
 */
export interface OutboxConsumer {
  topic: string;
  deliver: Deliver;
  /** Most messages per consumer call; default 100. */
  batchSize?: number;
  /** Ceiling of the retry backoff; default 5 minutes. */
  maxBackoffMs?: number;
  /** Refusals (4xx) of one message before it is set aside as dead; default REFUSALS_BEFORE_DEAD. */
  refusalsBeforeDead?: number;
  /**
   * `tenant` (default): a tenant's messages go in order, and a failing one holds back the
   * tenant's later ones. `none`: each message is due on its own schedule, so one failing
   * message (a webhook receiver that is down) delays no other; for messages independent of
   * each other, such as deliveries to different receivers.
   */
  ordering?: 'tenant' | 'none';
}

export interface OutboxRelayOptions {
  /** Connected as the service's worker role (BYPASSRLS), never a request's connection. */
  dataSource: DataSource;
  schema: string;
  consumers: readonly OutboxConsumer[];
  logger: Logger;
  /** Default 500. */
  pollIntervalMs?: number;
  /** Warn (at most once a minute per topic) when the oldest pending message is older; default 60. */
  backlogWarningAgeSeconds?: number;
  /** How long stop() lets an in-flight consumer call finish before giving up on it; default 5 s. */
  stopTimeoutMs?: number;
}

export interface OutboxRelay {
  /** Stops polling and waits for the batches in flight (at most stopTimeoutMs). */
  stop(): Promise<void>;
  /** Undelivered messages per topic and the age of the oldest, for /readyz and logs. */
  backlog(): Promise<Record<string, OutboxBacklog>>;
  /** Delivers everything that is due now (for tests and shutdown); a no-op once stopped. */
  drain(): Promise<void>;
}

type Settings = Required<Omit<OutboxRelayOptions, 'consumers'>> & Required<OutboxConsumer>;

const DEFAULTS = {
  pollIntervalMs: 500,
  batchSize: 100,
  maxBackoffMs: 5 * 60_000,
  refusalsBeforeDead: REFUSALS_BEFORE_DEAD,
  ordering: 'tenant' as const,
  backlogWarningAgeSeconds: 60,
  stopTimeoutMs: 5_000,
};
const BACKLOG_CHECK_INTERVAL_MS = 60_000;
const LAST_ERROR_MAX_LENGTH = 500;

type BatchOutcome = 'delivered' | 'failed' | 'not due' | 'locked by another relay';

/** Raised into the batch's transaction when stop() gives up on a consumer call: it rolls back. */
class RelayStopped extends Error {
  constructor() {
    super('the outbox relay stopped before the consumer answered');
  }
}

class MisconfiguredRelay extends Error {}

/**
 * Starts delivering the service's outbox to its consumers, one topic each: at least once, in
 * order per tenant and topic, with exponential backoff per tenant and topic, while other
 * tenants and topics go on. Consumers deduplicate by message id.
 */
export function startOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const topics = options.consumers.map((consumer) => consumer.topic);
  if (new Set(topics).size !== topics.length) throw new Error(`the outbox relay of "${options.schema}" has two consumers of one topic`);
  const relays = options.consumers.map((consumer) => new TopicRelay(settingsOf(options, consumer)));
  for (const relay of relays) relay.start();
  return {
    stop: async () => void (await Promise.all(relays.map((relay) => relay.stop()))),
    drain: async () => void (await Promise.all(relays.map((relay) => relay.drain()))),
    backlog: async () => Object.fromEntries(await Promise.all(relays.map(async (relay) => [relay.topic, await relay.backlog()] as const))),
  };
}

function settingsOf(options: OutboxRelayOptions, consumer: OutboxConsumer): Settings {
  return {
    dataSource: options.dataSource,
    schema: options.schema,
    logger: options.logger,
    pollIntervalMs: options.pollIntervalMs ?? DEFAULTS.pollIntervalMs,
    backlogWarningAgeSeconds: options.backlogWarningAgeSeconds ?? DEFAULTS.backlogWarningAgeSeconds,
    stopTimeoutMs: options.stopTimeoutMs ?? DEFAULTS.stopTimeoutMs,
    topic: consumer.topic,
    deliver: consumer.deliver,
    batchSize: consumer.batchSize ?? DEFAULTS.batchSize,
    maxBackoffMs: consumer.maxBackoffMs ?? DEFAULTS.maxBackoffMs,
    refusalsBeforeDead: consumer.refusalsBeforeDead ?? DEFAULTS.refusalsBeforeDead,
    ordering: consumer.ordering ?? DEFAULTS.ordering,
  };
}

/** Stored in last_error and logged: bounded, and without a bearer credential a consumer's error might echo. */
export function describeFailure(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/(bearer\s+)\S+/gi, '$1[redacted]').slice(0, LAST_ERROR_MAX_LENGTH);
}

class TopicRelay {
  readonly topic: string;
  private readonly store: OutboxStore;
  private readonly logger: Logger;
  private readonly giveUp = new AbortController();
  /** Polls and drains run one at a time, so stop() has one thing to wait for. */
  private queue: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private workerRoleConfirmed = false;
  private lastBacklogCheckAt = -Infinity;

  constructor(private readonly settings: Settings) {
    this.topic = settings.topic;
    this.store = outboxStore(settings.dataSource, settings.schema, settings.topic, settings.refusalsBeforeDead, settings.ordering);
    this.logger = settings.logger.child({ component: 'outbox-relay', schema: settings.schema, topic: settings.topic });
  }

  start(): void {
    this.schedulePoll(this.settings.pollIntervalMs);
  }

  drain(): Promise<void> {
    return this.serially(() => this.deliverUntilQuiet());
  }

  async backlog(): Promise<OutboxBacklog> {
    await this.confirmWorkerRole();
    return this.store.backlog();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const deadline = setTimeout(() => this.giveUp.abort(), this.settings.stopTimeoutMs);
    try {
      await this.queue;
    } finally {
      clearTimeout(deadline);
    }
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private schedulePoll(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(async () => {
      if (await this.serially(() => this.poll())) this.schedulePoll(this.settings.pollIntervalMs);
    }, delayMs);
  }

  /** Never throws; false when polling cannot help (a misconfigured connection). */
  private async poll(): Promise<boolean> {
    try {
      await this.warnIfBacklogIsOld();
      await this.deliverUntilQuiet();
    } catch (error) {
      if (error instanceof MisconfiguredRelay) {
        this.logger.error({ error }, 'outbox relay not started');
        return false;
      }
      if (!(error instanceof RelayStopped)) this.logger.error({ error }, 'outbox relay poll failed; retrying at the next poll');
    }
    return true;
  }

  /** Without BYPASSRLS the relay would see no tenant's rows and silently deliver nothing. */
  private async confirmWorkerRole(): Promise<void> {
    if (this.workerRoleConfirmed) return;
    if (!(await this.store.bypassesRowLevelSecurity())) {
      throw new MisconfiguredRelay(`the outbox relay of "${this.settings.schema}" must connect as the worker role`);
    }
    this.workerRoleConfirmed = true;
  }

  private async warnIfBacklogIsOld(): Promise<void> {
    if (Date.now() - this.lastBacklogCheckAt < BACKLOG_CHECK_INTERVAL_MS) return;
    this.lastBacklogCheckAt = Date.now();
    const backlog = await this.backlog();
    if (backlog.oldestAgeSeconds !== null && backlog.oldestAgeSeconds > this.settings.backlogWarningAgeSeconds) {
      this.logger.warn({ ...backlog }, 'outbox backlog is falling behind');
    }
  }

  /**
   * A tenant whose batch failed is not tried again in the same call, even if its jittered
   * backoff is already over: at most one attempt per tenant and poll against a failing consumer.
   * Unordered, it is the failed message that is not tried again, and the tenant's others go on.
   */
  private async deliverUntilQuiet(): Promise<void> {
    await this.confirmWorkerRole();
    const failed = { tenants: new Set<string>(), messages: new Set<string>() };
    let progressed = true;
    while (progressed && !this.stopped) progressed = (await this.sweep(failed)) > 0;
  }

  /** One batch per due tenant and round, so a tenant with a long backlog cannot starve the others. */
  private async sweep(failed: { tenants: Set<string>; messages: Set<string> }): Promise<number> {
    const ordered = this.settings.ordering === 'tenant';
    let handled = 0;
    for (const tenantId of await this.store.dueTenants()) {
      if (this.stopped) break;
      if (failed.tenants.has(tenantId)) continue;
      const outcome = await this.deliverNextBatch(tenantId, [...failed.messages]);
      if (outcome.result === 'delivered') handled += 1;
      if (outcome.result === 'failed') {
        if (ordered) failed.tenants.add(tenantId);
        else {
          for (const id of outcome.ids) failed.messages.add(id);
          handled += 1;
        }
      }
    }
    return handled;
  }

  /**
   * One transaction per batch holds the tenant's lock while the consumer is called and the
   * outcome is recorded. The lock is `pg_try_advisory_xact_lock` on (schema, tenant) rather
   * than `FOR UPDATE SKIP LOCKED` on the tenant's head row: SKIP LOCKED would hand a second
   * relay the row after a locked head, out of order, unless each relay first re-derived the
   * head, racing with commits; a lock on the tenant itself has no such window, and once it is
   * held every statement (READ COMMITTED) sees what the previous holder committed. A relay
   * that dies mid-batch loses its session, so PostgreSQL rolls back and drops the lock; its
   * rows stay undelivered for the next relay. While the consumer works the transaction is
   * idle without a snapshot, so it does not hold back vacuum.
   */
  private deliverNextBatch(tenantId: string, skip: string[]): Promise<{ result: BatchOutcome; ids: string[] }> {
    return this.settings.dataSource.transaction(async (tx) => {
      if (!(await this.store.tryLockTenant(tx, tenantId))) return { result: 'locked by another relay', ids: [] };
      const batch = await this.store.nextBatch(tx, tenantId, this.settings.batchSize, skip);
      if (!batch) return { result: 'not due', ids: [] };
      const ids = batch.messages.map((message) => message.id);
      try {
        await this.inDeliverySpan(batch);
      } catch (error) {
        if (error instanceof RelayStopped) {
          this.logger.warn({ tenantId }, 'outbox relay stopped during a delivery; those messages will be delivered again');
          throw error;
        }
        await this.recordFailure(tx, batch, error);
        return { result: 'failed', ids };
      }
      await this.store.markDelivered(tx, batch);
      return { result: 'delivered', ids };
    });
  }

  /**
   * The consumer call in a span of a trace of its own (it runs later than, and apart from, the
   * requests that wrote the messages), linked to each of those requests' spans.
   */
  private inDeliverySpan(batch: OutboxBatch): Promise<void> {
    const attributes = { 'messaging.system': 'outbox', 'messaging.destination.name': batch.topic, 'messaging.batch.message_count': batch.messages.length };
    const links = batch.traceparents.flatMap((traceparent) => (traceparent ? linkTo(traceparent) : []));
    return inSpan(`send ${batch.topic}`, { kind: SpanKind.PRODUCER, root: true, links, attributes }, () => this.callConsumer(batch));
  }

  /** Settles when the consumer does, or rejects with RelayStopped when stop() gives up on it. */
  private callConsumer(batch: OutboxBatch): Promise<void> {
    const signal = this.giveUp.signal;
    return new Promise<void>((resolve, reject) => {
      const onGiveUp = () => reject(new RelayStopped());
      if (signal.aborted) return onGiveUp();
      signal.addEventListener('abort', onGiveUp, { once: true });
      Promise.resolve()
        .then(() => this.settings.deliver(batch.topic, batch.messages, signal))
        .then(resolve, reject)
        .finally(() => signal.removeEventListener('abort', onGiveUp));
    });
  }

  private async recordFailure(tx: EntityManager, batch: OutboxBatch, error: unknown): Promise<void> {
    const failures = batch.attempts + 1;
    const retryInMs = backoffDelayMs(failures, this.settings.maxBackoffMs);
    const reason = describeFailure(error);
    if (error instanceof ConsumerRefused) {
      // Head of line no more: a message its consumer keeps refusing is set aside (kept, counted
      // in /readyz, replayable by the operator) and the tenant's later messages flow on.
      if (await this.store.markRefused(tx, batch, reason, retryInMs)) {
        this.logger.error(
          { tenantId: batch.tenantId, messageId: batch.messages[0].id, error: reason },
          'outbox message refused by its consumer and set aside as dead; replay it with `outbox retry`',
        );
        return;
      }
    } else {
      await this.store.markFailed(tx, batch, reason, retryInMs);
    }
    this.logger.warn(
      { tenantId: batch.tenantId, messages: batch.messages.length, failures, retryInMs, error: reason },
      'outbox delivery failed; the tenant waits for the retry',
    );
  }
}
