import { randomInt } from 'node:crypto';
import type { Principal } from '@compliance-graph/auth';
import { executeOnSubgraph, type InProcessSubgraph } from '@compliance-graph/testing';
import { auditRecord, ingestBody, postBatch } from './audit-load';
import { verifyConsistency, verifyInclusion } from '@compliance-graph/audit-log';
import type { GraphqlHttpClient } from './http-client';
import { cpuMeter, type CpuUse } from './machine';
import type { SqlProfile, SqlProfiler } from './sql-profile';
import { elapsedMs, summarise, type LatencySummary } from './stats';

export interface BuildResult {
  events: number;
  posts: number;
  seconds: number;
  eventsPerSecond: number;
  /** POSTs that failed and were sent again (ingest is idempotent by event id). */
  retries: number;
  /** Ids of randomly chosen events, for inclusion proofs. */
  sampleIds: string[];
  cpu: CpuUse;
  postgresCores?: number;
  profile: SqlProfile;
}

export interface BuildOptions {
  client: GraphqlHttpClient;
  tenantId: string;
  events: number;
  batch: number;
  inFlight: number;
  samples: number;
  profiler: SqlProfiler;
  postgresMeter?: () => () => number | undefined;
  progress: (line: string) => void;
  signal?: AbortSignal;
}

const RETRIES = 3;
const PROGRESS_EVERY_MS = 30_000;

/**
 * Builds one tenant's log through the real ingest route, as a relay with a long backlog would:
 * `inFlight` POSTs of `batch` events at a time (they queue on the tenant's head lock, while
 * the next batch is parsed and validated). A failed POST is sent again, as a relay would.
 */
export async function buildBigLog(options: BuildOptions): Promise<BuildResult> {
  const { client, tenantId, events, batch, inFlight, progress, signal } = options;
  const wanted = new Set<number>();
  while (wanted.size < Math.min(options.samples, events)) wanted.add(randomInt(events));
  const sampleIds: string[] = [];
  let generated = 0;
  let appended = 0;
  let posts = 0;
  let retries = 0;
  options.profiler.take();
  const meter = cpuMeter();
  const postgres = options.postgresMeter?.();
  const start = process.hrtime.bigint();
  let lastReport = start;
  const writer = async () => {
    while (generated < events) {
      if (signal?.aborted) throw new Error('interrupted while building the big log');
      const count = Math.min(batch, events - generated);
      const records = Array.from({ length: count }, () => {
        const record = auditRecord(tenantId, generated);
        if (wanted.has(generated)) sampleIds.push(record.id);
        generated += 1;
        return record;
      });
      const body = ingestBody(records);
      for (let attempt = 0; ; attempt++) {
        const error = await postBatch(client, body, count);
        posts += 1;
        if (error === undefined) break;
        if (attempt >= RETRIES) throw new Error(`a batch of ${count} failed ${attempt + 1} times, last: ${error}`);
        retries += 1;
      }
      appended += count;
      if (elapsedMs(lastReport) >= PROGRESS_EVERY_MS || appended === events) {
        lastReport = process.hrtime.bigint();
        const seconds = elapsedMs(start) / 1000;
        progress(`${appended.toLocaleString('en')} of ${events.toLocaleString('en')} events, ${seconds.toFixed(0)} s, ${(appended / seconds).toFixed(0)} events/s`);
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, writer));
  const seconds = elapsedMs(start) / 1000;
  return {
    events: appended,
    posts,
    seconds,
    eventsPerSecond: appended / seconds,
    retries,
    sampleIds,
    cpu: meter(),
    postgresCores: postgres?.(),
    profile: options.profiler.take(),
  };
}

export interface TimedQuery {
  name: string;
  /** What was asked, e.g. "random event, latest tree size". */
  detail: string;
  calls: number;
  latency: LatencySummary;
  /** SQL statements and time per call, by kind. */
  profile: SqlProfile;
  /** Calls whose answer an independent RFC 9162 verifier accepted, of those checked. */
  verified?: { ok: number; checked: number };
}

export interface VerifyResult {
  seconds: number;
  ok: boolean;
  eventsChecked: number;
  treeSize: number;
  rootHash: string;
  /** The head checkpoint's root (from stored subtree hashes) equals the recomputed root. */
  rootMatchesCheckpoint: boolean;
  cpu: CpuUse;
  postgresCores?: number;
  profile: SqlProfile;
}

/** Inclusion proofs asked one after another while a full verification of the same log runs. */
export interface ProofsDuringVerify {
  verifySeconds: number;
  latency: LatencySummary;
}

export interface BigLogMeasurement {
  verify: VerifyResult;
  queries: TimedQuery[];
  /** What a full verification does to everyone else's requests on the same service. */
  duringVerify: ProofsDuringVerify;
}

const WARM_UP_CALLS = 10;
/** Consistency proofs checked against checkpoints fetched afterwards (each fetch signs and stores one). */
const CONSISTENCY_CHECKS = 20;

type Execute = <D>(query: string, variables?: Record<string, unknown>) => Promise<D>;

/**
 * Times the queries on the big log through the audit subgraph's GraphQL schema in process
 * (executeOnSubgraph: the operation as the gateway would forward it, without the HTTP hop),
 * as an AUDITOR of the tenant: verifyAuditLog once, then each proof and checkpoint query.
 */
export async function measureBigLog(options: {
  audit: InProcessSubgraph;
  auditor: Principal;
  sampleIds: string[];
  calls: number;
  profiler: SqlProfiler;
  postgresMeter?: () => () => number | undefined;
  progress: (line: string) => void;
}): Promise<BigLogMeasurement> {
  const { audit, auditor, profiler, progress } = options;
  const execute: Execute = async <D>(query: string, variables: Record<string, unknown> = {}) => {
    const result = await executeOnSubgraph<D>(audit, query, variables, { principal: auditor });
    if (result.errors?.length || !result.data) {
      const first = result.errors?.[0];
      throw new Error(`${query.slice(0, 60)}: ${String(first?.extensions?.code ?? 'no data')} ${first?.message ?? ''}`);
    }
    return result.data;
  };

  progress('verifyAuditLog (one run, full recomputation) ...');
  profiler.take();
  const meter = cpuMeter();
  const postgres = options.postgresMeter?.();
  const started = process.hrtime.bigint();
  const { verifyAuditLog: verified } = await execute<{
    verifyAuditLog: { ok: boolean; eventsChecked: number; treeSize: number; rootHash: string; firstInvalidSeq: number | null };
  }>('{ verifyAuditLog { ok eventsChecked treeSize rootHash firstInvalidSeq } }');
  const verifySeconds = elapsedMs(started) / 1000;
  const verifyCpu = meter();
  const verifyPostgres = postgres?.();
  const verifyProfile = profiler.take();
  const head = (await execute<{ auditCheckpoint: { treeSize: number; rootHash: string } }>('{ auditCheckpoint { treeSize rootHash } }')).auditCheckpoint;
  const verify: VerifyResult = {
    seconds: verifySeconds,
    ok: verified.ok,
    eventsChecked: verified.eventsChecked,
    treeSize: verified.treeSize,
    rootHash: verified.rootHash,
    rootMatchesCheckpoint: head.treeSize === verified.treeSize && head.rootHash === verified.rootHash,
    cpu: verifyCpu,
    postgresCores: verifyPostgres,
    profile: verifyProfile,
  };
  const size = head.treeSize;

  const timed = async (name: string, detail: string, call: (i: number) => Promise<void>): Promise<TimedQuery> => {
    progress(`${name} (${detail}): ${WARM_UP_CALLS} warm-up calls, then ${options.calls} measured ...`);
    for (let i = 0; i < WARM_UP_CALLS; i++) await call(i);
    profiler.take();
    const samples: number[] = [];
    for (let i = 0; i < options.calls; i++) {
      const sent = process.hrtime.bigint();
      await call(i);
      samples.push(elapsedMs(sent));
    }
    return { name, detail, calls: options.calls, latency: summarise(samples), profile: profiler.take() };
  };
  const hex = (values: string[]) => values.map((value) => Buffer.from(value, 'hex'));

  type Inclusion = { leafIndex: number; treeSize: number; leafHash: string; auditPath: string[]; checkpoint: { rootHash: string } };
  const inclusions: Inclusion[] = [];
  const ids = options.sampleIds;
  const inclusion = await timed('auditInclusionProof', 'random event, latest tree size', async (i) => {
    const data = await execute<{ auditInclusionProof: Inclusion }>(
      'query ($id: ID!) { auditInclusionProof(eventId: $id) { leafIndex treeSize leafHash auditPath checkpoint { rootHash } } }',
      { id: ids[i % ids.length] },
    );
    inclusions.push(data.auditInclusionProof);
  });
  // The measured calls only (the warm-up calls came first).
  const included = inclusions.slice(-options.calls).filter((p) =>
    verifyInclusion(Buffer.from(p.leafHash, 'hex'), p.leafIndex, p.treeSize, hex(p.auditPath), Buffer.from(p.checkpoint.rootHash, 'hex')),
  );
  inclusion.verified = { ok: included.length, checked: Math.min(options.calls, inclusions.length) };

  const pairs: Array<{ from: number; to: number; path: string[] }> = [];
  const consistency = await timed('auditConsistencyProof', 'random 1 <= fromSize < toSize <= size', async () => {
    const from = 1 + randomInt(Math.max(1, size - 1));
    const to = Math.min(size, from + 1 + randomInt(Math.max(1, size - from)));
    const data = await execute<{ auditConsistencyProof: { path: string[] } }>(
      'query ($a: Int!, $b: Int!) { auditConsistencyProof(fromSize: $a, toSize: $b) { path } }',
      { a: from, b: to },
    );
    pairs.push({ from, to, path: data.auditConsistencyProof.path });
  });

  const latest = await timed('auditCheckpoint', 'latest tree size (already signed)', async () => {
    await execute('{ auditCheckpoint { treeSize rootHash body signature keyId } }');
  });
  const atSize = await timed('auditCheckpoint', 'random earlier tree size (signs and stores a new checkpoint)', async () => {
    await execute('query ($s: Int!) { auditCheckpoint(treeSize: $s) { treeSize rootHash body signature keyId } }', { s: 1 + randomInt(size) });
  });

  // Outside the timing: check a few consistency proofs against the roots of both sizes.
  const checked = pairs.slice(-CONSISTENCY_CHECKS);
  let consistent = 0;
  const rootAt = async (treeSize: number) =>
    Buffer.from(
      (await execute<{ auditCheckpoint: { rootHash: string } }>('query ($s: Int!) { auditCheckpoint(treeSize: $s) { rootHash } }', { s: treeSize }))
        .auditCheckpoint.rootHash,
      'hex',
    );
  for (const pair of checked) {
    if (verifyConsistency(pair.from, pair.to, await rootAt(pair.from), await rootAt(pair.to), hex(pair.path))) consistent += 1;
  }
  consistency.verified = { ok: consistent, checked: checked.length };

  progress('auditInclusionProof while verifyAuditLog runs again on the same log ...');
  const during: number[] = [];
  const verifying = process.hrtime.bigint();
  let verifyDone = false;
  const verification = execute('{ verifyAuditLog { ok } }').finally(() => (verifyDone = true));
  for (let i = 0; !verifyDone; i++) {
    const sent = process.hrtime.bigint();
    await execute('query ($id: ID!) { auditInclusionProof(eventId: $id) { leafIndex } }', { id: ids[i % ids.length] });
    during.push(elapsedMs(sent));
  }
  await verification;
  const duringVerify = { verifySeconds: elapsedMs(verifying) / 1000, latency: summarise(during) };
  profiler.take();

  return { verify, queries: [inclusion, consistency, latest, atSize], duringVerify };
}
