import { randomInt } from 'node:crypto';
import { verifyConsistency, verifyInclusion } from '@compliance-graph/audit-log';
import type { Principal } from '@compliance-graph/auth';
import { executeOnSubgraph, type InProcessSubgraph } from '@compliance-graph/testing';
import { auditRecord, ingestBody, postBatch } from './audit-records';
import type { GraphqlHttpClient } from './http-client';
import { cpuMeter } from './machine';
import type { BenchPostgres, SqlCount } from './postgres';
import { elapsedMs, summarise, timed, type Latency } from './stats';
import { figure, ms, percent, table } from './table';

/** Events whose ids are kept for inclusion proofs. */
const SAMPLE_IDS = 1000;
const RETRIES = 3;
const PROGRESS_EVERY_MS = 30_000;
const WARM_UP_CALLS = 10;
/** Consistency proofs checked against checkpoints fetched afterwards (each fetch signs and stores one). */
const CONSISTENCY_CHECKS = 20;

interface BuildOptions {
  client: GraphqlHttpClient;
  tenantId: string;
  events: number;
  batch: number;
  inFlight: number;
  postgres: BenchPostgres;
  progress(line: string): void;
  signal: AbortSignal;
}

/**
 * Builds one tenant's log through the ingest route as a relay with a long backlog would:
 * `inFlight` POSTs at a time (they queue on the tenant's head lock while the next is parsed),
 * a failed POST sent again (ingest is idempotent by event id).
 */
export async function buildBigLog({ client, tenantId, events, batch, inFlight, postgres, progress, signal }: BuildOptions) {
  const sampled = new Set<number>();
  while (sampled.size < Math.min(SAMPLE_IDS, events)) sampled.add(randomInt(events));
  const sampleIds: string[] = [];
  let generated = 0;
  let appended = 0;
  let retries = 0;
  await postgres.resetSql();
  const start = process.hrtime.bigint();
  let lastProgress = start;
  const writer = async () => {
    while (generated < events) {
      if (signal.aborted) throw new Error('interrupted');
      const records = Array.from({ length: Math.min(batch, events - generated) }, () => {
        const record = auditRecord(tenantId);
        if (sampled.has(generated++)) sampleIds.push(record.id);
        return record;
      });
      const body = ingestBody(records);
      for (let attempt = 0; ; attempt++) {
        const error = await postBatch(client, body, records.length).catch((failure: Error) => `network: ${failure.message}`);
        if (error === undefined) break;
        if (attempt >= RETRIES) throw new Error(`a batch of ${records.length} failed ${attempt + 1} times, last: ${error}`);
        retries += 1;
      }
      appended += records.length;
      if (elapsedMs(lastProgress) >= PROGRESS_EVERY_MS) {
        lastProgress = process.hrtime.bigint();
        progress(`  ${appended.toLocaleString('en')} of ${events.toLocaleString('en')} events, ${(elapsedMs(start) / 1000).toFixed(0)} s`);
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, writer));
  const seconds = elapsedMs(start) / 1000;
  return { events: appended, seconds, eventsPerSecond: appended / seconds, retries, sampleIds, sql: await postgres.readSql() };
}

interface QueryRow {
  name: string;
  calls: number;
  latency: Latency;
  sql?: SqlCount;
  /** Answers that packages/audit-log's RFC 9162 verifier accepted, of those checked. */
  verified?: { ok: number; checked: number };
}

interface MeasureOptions {
  audit: InProcessSubgraph;
  auditor: Principal;
  sampleIds: string[];
  calls: number;
  postgres: BenchPostgres;
  progress(line: string): void;
}

type Inclusion = { leafIndex: number; treeSize: number; leafHash: string; auditPath: string[]; checkpoint: { rootHash: string } };
const INCLUSION = 'query ($id: ID!) { auditInclusionProof(eventId: $id) { leafIndex treeSize leafHash auditPath checkpoint { rootHash } } }';
const CHECKPOINT_AT = 'query ($s: Int!) { auditCheckpoint(treeSize: $s) { treeSize rootHash body signature keyId } }';
const bytes = (hex: string) => Buffer.from(hex, 'hex');

/**
 * verifyAuditLog once, then each proof and checkpoint query, through the audit subgraph's schema
 * in process as an AUDITOR of the tenant (the operation as the gateway forwards it, no HTTP hop),
 * then inclusion proofs while verifyAuditLog runs again: what a full verification does to others.
 */
export async function measureBigLog({ audit, auditor, sampleIds, calls, postgres, progress }: MeasureOptions) {
  const execute = async <D>(query: string, variables: Record<string, unknown> = {}): Promise<D> => {
    const result = await executeOnSubgraph<D>(audit, query, variables, { principal: auditor });
    if (result.errors?.length || !result.data) throw new Error(`${query.slice(0, 60)}: ${result.errors?.[0]?.message ?? 'no data'}`);
    return result.data;
  };
  const measure = async (name: string, call: (i: number) => Promise<unknown>): Promise<QueryRow> => {
    progress(`${name}: ${WARM_UP_CALLS} warm-up calls, then ${calls} measured`);
    for (let i = 0; i < WARM_UP_CALLS; i++) await call(i);
    await postgres.resetSql();
    const samples: number[] = [];
    for (let i = 0; i < calls; i++) samples.push(await timed(() => call(i)));
    return { name, calls, latency: summarise(samples), sql: await postgres.readSql() };
  };

  progress('verifyAuditLog: one run, every leaf and the root recomputed');
  await postgres.resetSql();
  const meter = cpuMeter();
  let verified!: { ok: boolean; eventsChecked: number; treeSize: number; rootHash: string };
  const verifyMs = await timed(async () => {
    ({ verifyAuditLog: verified } = await execute<{ verifyAuditLog: typeof verified }>('{ verifyAuditLog { ok eventsChecked treeSize rootHash } }'));
  });
  const verify = { ...verified, seconds: verifyMs / 1000, sql: await postgres.readSql(), cpu: meter() };
  const { auditCheckpoint: head } = await execute<{ auditCheckpoint: { treeSize: number; rootHash: string } }>('{ auditCheckpoint { treeSize rootHash } }');
  const size = head.treeSize;

  const inclusions: Inclusion[] = [];
  const inclusion = await measure('auditInclusionProof, random event, latest size', async (i) => {
    inclusions.push((await execute<{ auditInclusionProof: Inclusion }>(INCLUSION, { id: sampleIds[i % sampleIds.length] })).auditInclusionProof);
  });
  const measuredProofs = inclusions.slice(-calls);
  inclusion.verified = {
    ok: measuredProofs.filter((p) => verifyInclusion(bytes(p.leafHash), p.leafIndex, p.treeSize, p.auditPath.map(bytes), bytes(p.checkpoint.rootHash))).length,
    checked: measuredProofs.length,
  };

  const pairs: Array<{ from: number; to: number; path: string[] }> = [];
  const consistency = await measure('auditConsistencyProof, random sizes', async () => {
    const from = 1 + randomInt(Math.max(1, size - 1));
    const to = Math.min(size, from + 1 + randomInt(Math.max(1, size - from)));
    const { auditConsistencyProof } = await execute<{ auditConsistencyProof: { path: string[] } }>(
      'query ($a: Int!, $b: Int!) { auditConsistencyProof(fromSize: $a, toSize: $b) { path } }',
      { a: from, b: to },
    );
    pairs.push({ from, to, path: auditConsistencyProof.path });
  });
  const rootAt = async (treeSize: number) => bytes((await execute<{ auditCheckpoint: { rootHash: string } }>(CHECKPOINT_AT, { s: treeSize })).auditCheckpoint.rootHash);
  let consistent = 0;
  for (const { from, to, path } of pairs.slice(-CONSISTENCY_CHECKS)) {
    if (verifyConsistency(from, to, await rootAt(from), await rootAt(to), path.map(bytes))) consistent += 1;
  }
  consistency.verified = { ok: consistent, checked: Math.min(CONSISTENCY_CHECKS, pairs.length) };

  const latest = await measure('auditCheckpoint, latest size (already signed)', () => execute('{ auditCheckpoint { treeSize rootHash body signature keyId } }'));
  const atSize = await measure('auditCheckpoint, random size (signs and stores one)', () => execute(CHECKPOINT_AT, { s: 1 + randomInt(size) }));

  progress('auditInclusionProof while verifyAuditLog runs again on the same log');
  const during: number[] = [];
  let verifying = true;
  const verification = execute('{ verifyAuditLog { ok } }').finally(() => (verifying = false));
  for (let i = 0; verifying; i++) during.push(await timed(() => execute(INCLUSION, { id: sampleIds[i % sampleIds.length] })));
  await verification;
  // Its statements are mixed with the verification's, so this row has no SQL count.
  const duringVerify: QueryRow = { name: 'auditInclusionProof while verifyAuditLog runs', calls: during.length, latency: summarise(during) };

  const queries = [inclusion, consistency, latest, atSize, duringVerify];
  const perCall = (row: QueryRow) => (row.sql ? figure(row.sql.statements / row.calls) : '');
  const lines = table(
    [`on the ${size.toLocaleString('en')}-event log`, 'calls', 'p50', 'p99', 'max', 'SQL/call', 'SQL time/call', 'verified'],
    [
      ['verifyAuditLog (one run)', 1, ms(verifyMs), '', '', `${figure((1000 * verify.sql.statements) / Math.max(1, size))} per 1,000 events`, ms(verify.sql.totalMs), verify.ok && verify.rootHash === head.rootHash ? 'yes' : 'NO'],
      ...queries.map((row) => [
        row.name,
        row.calls,
        ms(row.latency.p50),
        ms(row.latency.p99),
        ms(row.latency.max),
        perCall(row),
        row.sql ? ms(row.sql.totalMs / row.calls) : '',
        row.verified ? `${row.verified.ok} of ${row.verified.checked}` : '',
      ]),
    ],
  );
  lines.push(`verifyAuditLog kept the event loop ${percent(verify.cpu.eventLoop)} busy and ${figure(verify.cpu.machineCores, 2)} of the machine's cores`);

  const failures = [
    ...(verify.ok && verify.eventsChecked === size ? [] : ['the big log does not verify']),
    ...(verify.rootHash === head.rootHash ? [] : ["the big log's recomputed root differs from its checkpoint"]),
    ...queries.filter((q) => q.verified && q.verified.ok !== q.verified.checked).map((q) => `${q.name}: answers failed verification`),
  ];
  return { table: lines, figures: { verify, queries }, failures };
}
