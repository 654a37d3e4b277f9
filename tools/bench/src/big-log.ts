import { randomInt, randomUUID } from 'node:crypto';
import { verifyConsistency, verifyInclusion } from '@compliance-graph/audit-log';
import type { AuditRun } from './audit';
import { asAuditor, auditRecord, ingestBody, postBatch } from './audit-api';
import { eventLoopMeter } from './machine';
import type { SqlCount } from './postgres';
import { elapsedMs, summarise, timed, type Latency } from './stats';
import { figure, ms, percent, table } from './table';

/** Events whose ids are kept for inclusion proofs. */
const SAMPLE_IDS = 1000;
const PROGRESS_EVERY_MS = 30_000;
const WARM_UP_CALLS = 10;
/** Consistency proofs checked against checkpoints fetched afterwards (each fetch signs and stores one). */
const CONSISTENCY_CHECKS = 20;

/**
 * Builds one tenant's log through the ingest route as a relay with a long backlog would:
 * `inFlight` POSTs at a time (they queue on the tenant's head lock while the next is parsed).
 */
async function buildLog({ options, client, postgres, progress, signal }: AuditRun, tenantId: string) {
  const { logEvents: events, buildBatch: batch, buildInFlight: inFlight } = options;
  const stride = Math.max(1, Math.floor(events / SAMPLE_IDS));
  const sampleIds: string[] = [];
  let generated = 0;
  await postgres.resetSql();
  const start = process.hrtime.bigint();
  let lastProgress = start;
  const writer = async () => {
    while (generated < events && !signal.aborted) {
      const records = Array.from({ length: Math.min(batch, events - generated) }, () => {
        const record = auditRecord(tenantId);
        if (generated++ % stride === 0) sampleIds.push(record.id);
        return record;
      });
      const error = await postBatch(client, ingestBody(records), records.length);
      if (error !== undefined) throw new Error(`a POST of ${records.length} events failed: ${error}`);
      if (elapsedMs(lastProgress) >= PROGRESS_EVERY_MS) {
        lastProgress = process.hrtime.bigint();
        progress(`  ${generated.toLocaleString('en')} of ${events.toLocaleString('en')} events, ${(elapsedMs(start) / 1000).toFixed(0)} s`);
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, writer));
  if (signal.aborted) throw new Error('interrupted');
  const seconds = elapsedMs(start) / 1000;
  return { events, seconds, eventsPerSecond: events / seconds, sampleIds, sql: await postgres.readSql() };
}

interface QueryRow {
  name: string;
  calls: number;
  latency: Latency;
  sql?: SqlCount;
  /** Answers that packages/audit-log's RFC 9162 verifier accepted, of those checked. */
  verified?: { ok: number; checked: number };
}

type Inclusion = { leafIndex: number; treeSize: number; leafHash: string; auditPath: string[]; checkpoint: { rootHash: string } };
const INCLUSION = `query ($id: ID!) {
  auditInclusionProof(eventId: $id) { leafIndex treeSize leafHash auditPath checkpoint { rootHash } }
}`;
const CONSISTENCY = 'query ($a: Int!, $b: Int!) { auditConsistencyProof(fromSize: $a, toSize: $b) { path } }';
const CHECKPOINT = '{ auditCheckpoint { treeSize rootHash body signature keyId } }';
const CHECKPOINT_AT = 'query ($s: Int!) { auditCheckpoint(treeSize: $s) { treeSize rootHash body signature keyId } }';
const VERIFY = '{ verifyAuditLog { ok eventsChecked rootHash } }';
const bytes = (hex: string) => Buffer.from(hex, 'hex');

/**
 * verifyAuditLog once, then each proof and checkpoint query as an AUDITOR of the tenant, then
 * inclusion proofs while verifyAuditLog runs again: what a full verification does to the others.
 */
async function measureQueries({ options: { proofs: calls }, audit, postgres, progress }: AuditRun, tenantId: string, sampleIds: string[]) {
  const execute = asAuditor(audit, tenantId);
  /** Times `calls` calls after a warm-up; `check`, when given, verifies the first `checks` answers afterwards. */
  const measure = async <T>(name: string, call: () => Promise<T>, check?: (answer: T) => boolean | Promise<boolean>, checks = calls) => {
    progress(`${name}: ${WARM_UP_CALLS} warm-up calls, then ${calls} measured`);
    for (let i = 0; i < WARM_UP_CALLS; i++) await call();
    await postgres.resetSql();
    const answers: T[] = [];
    const samples: number[] = [];
    for (let i = 0; i < calls; i++) samples.push(await timed(async () => answers.push(await call())));
    const row: QueryRow = { name, calls, latency: summarise(samples), sql: await postgres.readSql() };
    if (check) {
      let ok = 0;
      for (const answer of answers.slice(0, checks)) if (await check(answer)) ok += 1;
      row.verified = { ok, checked: Math.min(checks, answers.length) };
    }
    return row;
  };
  const randomId = () => sampleIds[randomInt(sampleIds.length)];

  progress('verifyAuditLog: one run, every leaf and the root recomputed');
  await postgres.resetSql();
  const meter = eventLoopMeter();
  const start = process.hrtime.bigint();
  const { verifyAuditLog: verified } = await execute<{ verifyAuditLog: { ok: boolean; eventsChecked: number; rootHash: string } }>(VERIFY);
  const verify = { ...verified, seconds: elapsedMs(start) / 1000, sql: await postgres.readSql(), eventLoop: meter() };
  type Checkpoint = { auditCheckpoint: { treeSize: number; rootHash: string } };
  const { auditCheckpoint: head } = await execute<Checkpoint>(CHECKPOINT);
  const size = head.treeSize;

  const inclusion = await measure(
    'auditInclusionProof, random event, latest size',
    async () => (await execute<{ auditInclusionProof: Inclusion }>(INCLUSION, { id: randomId() })).auditInclusionProof,
    (p) => verifyInclusion(bytes(p.leafHash), p.leafIndex, p.treeSize, p.auditPath.map(bytes), bytes(p.checkpoint.rootHash)),
  );
  const rootAt = async (s: number) => bytes((await execute<Checkpoint>(CHECKPOINT_AT, { s })).auditCheckpoint.rootHash);
  const consistency = await measure(
    'auditConsistencyProof, random sizes',
    async () => {
      const from = 1 + randomInt(Math.max(1, size - 1));
      const to = Math.min(size, from + 1 + randomInt(Math.max(1, size - from)));
      const { auditConsistencyProof } = await execute<{ auditConsistencyProof: { path: string[] } }>(CONSISTENCY, { a: from, b: to });
      return { from, to, path: auditConsistencyProof.path };
    },
    async ({ from, to, path }) => verifyConsistency(from, to, await rootAt(from), await rootAt(to), path.map(bytes)),
    CONSISTENCY_CHECKS,
  );
  const latest = await measure('auditCheckpoint, latest size (already signed)', () => execute(CHECKPOINT));
  const atSize = await measure('auditCheckpoint, random size (signs and stores one)', () =>
    execute(CHECKPOINT_AT, { s: 1 + randomInt(size) }),
  );

  progress('auditInclusionProof while verifyAuditLog runs again on the same log');
  const during: number[] = [];
  let verifying = true;
  const verification = execute(VERIFY).finally(() => (verifying = false));
  while (verifying) during.push(await timed(() => execute(INCLUSION, { id: randomId() })));
  await verification;
  // Its statements mix with the verification's, so this row has no SQL count.
  const whileVerifying = { name: 'auditInclusionProof while verifyAuditLog runs', calls: during.length, latency: summarise(during) };
  const queries: QueryRow[] = [inclusion, consistency, latest, atSize, whileVerifying];

  const rootMatches = verify.ok && verify.eventsChecked === size && verify.rootHash === head.rootHash;
  const queryTable = table(queries, {
    [`on the ${size.toLocaleString('en')}-event log`]: (q) => q.name,
    calls: (q) => q.calls,
    p50: (q) => ms(q.latency.p50),
    p99: (q) => ms(q.latency.p99),
    max: (q) => ms(q.latency.max),
    'SQL/call': (q) => (q.sql ? figure(q.sql.statements / q.calls) : ''),
    'SQL time/call': (q) => (q.sql ? ms(q.sql.totalMs / q.calls) : ''),
    verified: (q) => (q.verified ? `${q.verified.ok} of ${q.verified.checked}` : ''),
  });
  const verifyLine =
    `verifyAuditLog: ${ms(verify.seconds * 1000)}, every leaf and the root recomputed ` +
    `(${rootMatches ? 'matches' : 'DIFFERS FROM'} the checkpoint), ${figure((1000 * verify.sql.statements) / size)} SQL statements ` +
    `per 1,000 events (${ms(verify.sql.totalMs)}), event loop ${percent(verify.eventLoop)}`;
  return {
    table: `${verifyLine}\n${queryTable}`,
    figures: { verify, queries },
    failures: [
      ...(rootMatches ? [] : ['the big log does not verify, or its recomputed root differs from its checkpoint']),
      ...queries.filter((q) => q.verified && q.verified.ok !== q.verified.checked).map((q) => `${q.name}: answers failed verification`),
    ],
  };
}

/** One tenant's log of `events`, built through the ingest route, then verified and queried. */
export async function bigLog(run: AuditRun) {
  const { logEvents: events, buildBatch: batch, buildInFlight: inFlight } = run.options;
  run.progress(`big log: ${events.toLocaleString('en')} events for one tenant, ${batch} per POST, ${inFlight} in flight`);
  const tenantId = randomUUID();
  const { sampleIds, ...build } = await buildLog(run, tenantId);
  const measured = await measureQueries(run, tenantId, sampleIds);
  const built =
    `big log: ${events.toLocaleString('en')} events built in ${ms(build.seconds * 1000)} (${figure(build.eventsPerSecond)} events/s, ` +
    `${figure((1000 * build.sql.statements) / events)} SQL statements per 1,000 events)`;
  return { table: `${built}\n${measured.table}`, figures: { tenantId, build, ...measured.figures }, failures: measured.failures };
}
