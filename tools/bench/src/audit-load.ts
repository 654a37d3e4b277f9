import { randomUUID } from 'node:crypto';
import { AUDIT_INGEST } from '@compliance-graph/internal-api';
import type { GraphqlHttpClient } from './http-client';
import { elapsedMs, summarise, type LatencySummary } from './stats';

/** The ingest route of the audit service. */
export const INGEST_PATH = AUDIT_INGEST.path;

const ACTIONS = ['evidence.updated', 'evidence.submitted', 'membership.role_changed', 'identity.logged_in', 'subprocessor.reviewed'];
const SUBJECTS = ['Evidence', 'Evidence', 'Membership', 'User', 'Subprocessor'];

/**
 * An audit record as a producing service writes it into its outbox (AuditRecord of
 * packages/outbox): the size and shape of a typical state change, about 560 bytes of JSON.
 */
export function auditRecord(tenantId: string, n: number): { id: string; tenantId: string } & Record<string, unknown> {
  const kind = n % ACTIONS.length;
  return {
    id: randomUUID(),
    tenantId,
    occurredAt: new Date().toISOString(),
    action: ACTIONS[kind],
    actorKind: 'USER',
    actorId: randomUUID(),
    subjectType: SUBJECTS[kind],
    subjectId: randomUUID(),
    service: 'evidence',
    ip: '203.0.113.9',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
    reason: null,
    data: { field: 'status', from: 'DRAFT', to: 'IN_REVIEW', control: `CC${(n % 9) + 1}.${(n % 5) + 1}`, n },
  };
}

/** The body a relay POSTs (packages/outbox http-delivery): one topic, messages with id and payload. */
export const ingestBody = (records: Array<{ id: string }>) =>
  JSON.stringify({ topic: 'audit', messages: records.map((payload) => ({ id: payload.id, payload })) });

/** Sends one ready-made batch body and checks the answer appended all `count` records; returns an error label or undefined. */
export async function postBatch(client: GraphqlHttpClient, body: string, count: number): Promise<string | undefined> {
  let status: number;
  let text: string;
  try {
    ({ status, text } = await client.post(body));
  } catch (failure) {
    return `network: ${(failure as Error).message}`;
  }
  if (status !== 200) {
    let code = '';
    try {
      code = String((JSON.parse(text) as { error?: { code?: unknown } }).error?.code ?? '');
    } catch {
      // not JSON: the status says enough
    }
    return `HTTP ${status}${code ? ` ${code}` : ''}`;
  }
  const answer = JSON.parse(text) as { appended?: number; duplicates?: number };
  return answer.appended === count ? undefined : `appended ${answer.appended} of ${count}`;
}

export interface AppendPhaseResult {
  writers: number;
  batch: number;
  tenants: number;
  seconds: number;
  posts: number;
  events: number;
  eventsPerSecond: number;
  /** Round trip of successful POSTs: each of its events is appended (committed) when it answers. */
  latency: LatencySummary;
  errors: Map<string, number>;
}

export interface AppendPhase {
  client: GraphqlHttpClient;
  /** The tenants, taken round-robin, one per POST (a relay's batch is one tenant's). */
  tenants: readonly string[];
  writers: number;
  batch: number;
  seconds: number;
  signal?: AbortSignal;
}

let recordCounter = 0;

/**
 * `writers` loops, each an outbox relay that POSTs its next batch as soon as the previous one
 * was acknowledged, until the time is up. Latency is taken with hrtime around each POST.
 */
export async function runAppendPhase({ client, tenants, writers, batch, seconds, signal }: AppendPhase): Promise<AppendPhaseResult> {
  const latencies: number[] = [];
  const errors = new Map<string, number>();
  let nextTenant = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(seconds * 1e9));
  const loop = async () => {
    while (!signal?.aborted && process.hrtime.bigint() < deadline) {
      const tenantId = tenants[nextTenant++ % tenants.length];
      const body = ingestBody(Array.from({ length: batch }, () => auditRecord(tenantId, recordCounter++)));
      const sent = process.hrtime.bigint();
      const error = await postBatch(client, body, batch);
      const took = elapsedMs(sent);
      if (error === undefined) latencies.push(took);
      else errors.set(error, (errors.get(error) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: writers }, loop));
  const wallSeconds = elapsedMs(start) / 1000;
  return {
    writers,
    batch,
    tenants: tenants.length,
    seconds: wallSeconds,
    posts: latencies.length,
    events: latencies.length * batch,
    eventsPerSecond: (latencies.length * batch) / wallSeconds,
    latency: summarise(latencies),
    errors,
  };
}

export const appendErrors = (result: AppendPhaseResult) => [...result.errors.values()].reduce((total, n) => total + n, 0);
