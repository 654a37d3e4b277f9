import type { AuditBenchOptions } from './audit-args';
import type { BigLogMeasurement, BuildResult, TimedQuery } from './audit-big-log';
import { appendErrors, type AppendPhaseResult } from './audit-load';
import type { CpuUse, Machine } from './machine';
import { table } from './report';
import { sqlCount, sqlTotalMs, type SqlProfile } from './sql-profile';
import { ms, percent, rate } from './stats';

export type TenantMode = 'hot' | 'many';

export interface AppendRow extends AppendPhaseResult {
  mode: TenantMode;
  cpu: CpuUse;
  /** Cores the embedded PostgreSQL kept busy (undefined with DATABASE_URL). */
  postgresCores?: number;
  profile: SqlProfile;
}

export interface LogCheck {
  label: string;
  tenants: number;
  events: number;
  ok: boolean;
  seconds: number;
}

export interface AuditBenchReport {
  date: string;
  options: AuditBenchOptions;
  /** AUDIT_CHECKPOINT_INTERVAL_SECONDS the service ran with, when it has that setting. */
  checkpointInterval?: number;
  machine: Machine;
  database: string;
  postgres: string;
  rows: AppendRow[];
  checks: LogCheck[];
  big?: { tenantId: string; build: BuildResult; measurement: BigLogMeasurement };
  busyBefore: number;
  loadBefore: string;
  loadAfter: string;
}

const MILLION = 1_000_000;
const count = (n: number) => n.toLocaleString('en');
const cores = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? 'n/a' : n.toFixed(2));
const modeLabel = (row: { mode: TenantMode; tenants: number }) => (row.mode === 'hot' ? '1 hot' : `${row.tenants}`);
const writersLabel = (n: number) => `${n} writer${n === 1 ? '' : 's'}`;
const rowLabel = (row: AppendRow) => `${row.mode === 'hot' ? '1 hot tenant' : `${row.tenants} tenants`}, ${writersLabel(row.writers)}, batch ${row.batch}`;
/** Other jobs: the machine's busy cores minus this process and the database. */
const others = (cpu: CpuUse, postgresCores: number | undefined) =>
  postgresCores === undefined ? undefined : Math.max(0, cpu.machine - cpu.process - postgresCores);

export function appendTable(rows: AppendRow[]): string[] {
  return table(
    ['tenants', 'writers', 'batch', 'events/s', 'POSTs/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'ms/event', 'errors', 'loop', 'node', 'postgres', 'other', 'machine'],
    rows.map((row) => [
      modeLabel(row),
      String(row.writers),
      String(row.batch),
      rate(row.eventsPerSecond),
      rate(row.posts / row.seconds),
      ms(row.latency.p50),
      ms(row.latency.p90),
      ms(row.latency.p99),
      ms(row.latency.max),
      ms(row.latency.p50 / row.batch),
      String(appendErrors(row)),
      percent(row.cpu.eventLoop, 1),
      cores(row.cpu.process),
      cores(row.postgresCores),
      cores(others(row.cpu, row.postgresCores)),
      cores(row.cpu.machine),
    ]),
  );
}

const byTime = (profile: SqlProfile) => [...profile.entries()].sort((a, b) => b[1].totalMs - a[1].totalMs);

/** Statements and milliseconds per unit (event or call), by kind, largest first. */
export function profileTable(profile: SqlProfile, units: number, unit: string): string[] {
  const total = sqlTotalMs(profile);
  return table(
    ['statement', `per ${unit}`, `ms per ${unit}`, 'share', 'mean ms', 'max ms'],
    byTime(profile).map(([kind, t]) => [
      kind,
      (t.count / units).toFixed(2),
      (t.totalMs / units).toFixed(3),
      percent(t.totalMs, total),
      (t.totalMs / t.count).toFixed(3),
      ms(t.maxMs),
    ]),
  );
}

/** One line per row: what a POST's mean latency is made of. */
export function appendBreakdown(row: AppendRow): string {
  const sqlPerPost = sqlTotalMs(row.profile) / posts(row);
  const top = byTime(row.profile)
    .slice(0, 3)
    .map(([kind, t]) => `${kind} ${percent(t.totalMs, sqlTotalMs(row.profile))}`)
    .join(', ');
  return (
    `${rowLabel(row)}: ${(sqlCount(row.profile) / posts(row)).toFixed(1)} statements/POST; mean POST ${ms(row.latency.mean)} ms = ` +
    `SQL ${ms(sqlPerPost)} ms + outside SQL ${ms(Math.max(0, row.latency.mean - sqlPerPost))} ms; SQL time: ${top}`
  );
}

export function buildLines(build: BuildResult, options: AuditBenchOptions): string[] {
  return [
    `${count(build.events)} events in ${(build.seconds / 60).toFixed(1)} min (${rate(build.eventsPerSecond)} events/s) through POST /internal/audit/events, ` +
      `${count(build.posts)} POSTs of ${options.buildBatch} events, ${options.buildInFlight} in flight, ${build.retries} retried`,
    `cores: node ${cores(build.cpu.process)} (event loop ${percent(build.cpu.eventLoop, 1)}), postgres ${cores(build.postgresCores)}, ` +
      `other ${cores(others(build.cpu, build.postgresCores))}, machine ${cores(build.cpu.machine)}`,
  ];
}

export function queryTable(queries: TimedQuery[]): string[] {
  return table(
    ['query', 'asked', 'calls', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'SQL/call', 'SQL ms/call', 'verified'],
    queries.map((q) => [
      q.name,
      q.detail,
      String(q.calls),
      ms(q.latency.p50),
      ms(q.latency.p90),
      ms(q.latency.p99),
      ms(q.latency.max),
      (sqlCount(q.profile) / q.calls).toFixed(1),
      ms(sqlTotalMs(q.profile) / q.calls),
      q.verified ? `${q.verified.ok}/${q.verified.checked}` : '-',
    ]),
  );
}

/** The event pages verifyAuditLog read, and how (OFFSET pages rescan the log; keyset pages do not). */
function verifyPages(profile: SqlProfile) {
  const offset = profile.get('events page, OFFSET (verify)');
  if (offset) return { ...offset, how: 'LIMIT/OFFSET', offset: true };
  const keyset = profile.get('events page (verify)');
  return keyset && { ...keyset, how: 'keyset, seq > last seen', offset: false };
}

export function duringVerifyLines(big: NonNullable<AuditBenchReport['big']>): string[] {
  const { duringVerify, queries } = big.measurement;
  const alone = queries.find((q) => q.name === 'auditInclusionProof');
  const { latency } = duringVerify;
  return [
    `${latency.count} auditInclusionProof calls, one after another, while verifyAuditLog ran again (${duringVerify.verifySeconds.toFixed(1)} s):`,
    `p50 ${ms(latency.p50)} ms, p99 ${ms(latency.p99)} ms, max ${ms(latency.max)} ms` +
      (alone ? ` (alone: p50 ${ms(alone.latency.p50)} ms, p99 ${ms(alone.latency.p99)} ms, max ${ms(alone.latency.max)} ms)` : ''),
  ];
}

export function verifyLines(big: NonNullable<AuditBenchReport['big']>): string[] {
  const { verify } = big.measurement;
  const sql = sqlTotalMs(verify.profile);
  const pages = verifyPages(verify.profile);
  return [
    `${verify.ok ? 'ok' : 'NOT OK'}: ${count(verify.eventsChecked)} events recomputed in ${verify.seconds.toFixed(1)} s ` +
      `(${rate(verify.eventsChecked / verify.seconds)} events/s); recomputed root ${verify.rootMatchesCheckpoint ? 'equals' : 'DIFFERS FROM'} ` +
      `the head checkpoint's root (from stored subtree hashes)`,
    `time in SQL ${(sql / 1000).toFixed(1)} s (${percent(sql, verify.seconds * 1000)}), the rest (canonical JSON, SHA-256, in-memory tree, entity mapping) ` +
      `${(Math.max(0, verify.seconds * 1000 - sql) / 1000).toFixed(1)} s`,
    ...(pages
      ? [
          `event pages (${pages.how}): ${pages.count} queries, ${(pages.totalMs / 1000).toFixed(1)} s, ` +
            `first page ${ms(pages.firstMs)} ms, last page ${ms(pages.lastMs)} ms`,
        ]
      : []),
    `cores: node ${cores(verify.cpu.process)} (event loop ${percent(verify.cpu.eventLoop, 1)}), postgres ${cores(verify.postgresCores)}, ` +
      `other ${cores(others(verify.cpu, verify.postgresCores))}, machine ${cores(verify.cpu.machine)}`,
  ];
}

/** Estimates for a million events from a smaller log, clearly labelled as such. */
export function extrapolation(big: NonNullable<AuditBenchReport['big']>): string[] {
  const n = big.build.events;
  if (n >= MILLION) return [];
  const factor = MILLION / n;
  const depth = Math.log2(MILLION) / Math.log2(Math.max(2, n));
  const [inclusion] = big.measurement.queries;
  return [
    `EXTRAPOLATED, NOT MEASURED (log of ${count(n)} events, not 1,000,000):`,
    `  building 1,000,000 events at the measured rate: ~${((big.build.seconds * factor) / 60).toFixed(0)} min`,
    `  verifyAuditLog: ~${(big.measurement.verify.seconds * factor).toFixed(0)} s if linear` +
      `${verifyPages(big.measurement.verify.profile)?.offset ? '; OFFSET paging grows quadratically, so more' : ''}`,
    `  auditInclusionProof p50: ~${ms(inclusion.latency.p50 * depth)} ms if it grows with the tree depth (log2 n)`,
  ];
}

/** Time spent waiting for (and holding) a tenant's head row: the lock that serialises its appends. */
const HEAD_KINDS = ['head lock (SELECT ... FOR UPDATE)', 'head insert (first append)'];
const headWaitMs = (profile: SqlProfile) => HEAD_KINDS.reduce((total, kind) => total + (profile.get(kind)?.totalMs ?? 0), 0);

const TARGET_EVENTS_PER_SECOND = 2000;
const TARGET_PROOF_MS = 10;

/** The issue's aims, against what was measured. */
export function targetLines(report: AuditBenchReport): string[] {
  const hotRows = report.rows.filter((row) => row.mode === 'hot');
  const lines: string[] = [];
  if (hotRows.length) {
    const best = hotRows.reduce((a, b) => (b.eventsPerSecond > a.eventsPerSecond ? b : a));
    const met = best.eventsPerSecond >= TARGET_EVENTS_PER_SECOND;
    lines.push(
      `>= ${count(TARGET_EVENTS_PER_SECOND)} events/s for one tenant: ${met ? 'met' : 'NOT met'}, best ${rate(best.eventsPerSecond)} events/s ` +
        `(${writersLabel(best.writers)}, batch ${best.batch})`,
    );
  }
  const big = report.big;
  if (big) {
    const proofs = big.measurement.queries.filter((q) => q.name !== 'auditCheckpoint');
    const met = proofs.every((q) => q.latency.p99 < TARGET_PROOF_MS)
      ? 'met (p99)'
      : proofs.every((q) => q.latency.p50 < TARGET_PROOF_MS)
        ? 'met at p50, not at p99'
        : 'NOT met';
    const at = big.build.events >= MILLION ? `at ${count(big.build.events)} events` : `at ${count(big.build.events)} events only (not a million)`;
    lines.push(
      `proofs under ${TARGET_PROOF_MS} ms ${at}: ${met}, ` +
        proofs.map((q) => `${q.name} p50 ${ms(q.latency.p50)} ms, p99 ${ms(q.latency.p99)} ms`).join('; '),
    );
  }
  return lines;
}

/** POSTs of a row, answered or failed. */
const posts = (row: AppendRow) => Math.max(1, row.posts + appendErrors(row));

/** Where the time goes, in sentences, for the README. */
export function findings(report: AuditBenchReport): string[] {
  const { options } = report;
  const lines: string[] = [];
  const largest = Math.max(...options.batches);
  const hot1 = report.rows.find((r) => r.mode === 'hot' && r.writers === Math.min(...options.writers) && r.batch === largest);
  if (hot1) {
    lines.push(
      `An append (1 hot tenant, ${writersLabel(hot1.writers)}, batch ${hot1.batch}) makes ${(sqlCount(hot1.profile) / posts(hot1)).toFixed(1)} SQL statements ` +
        `per POST, one round trip each (${(sqlCount(hot1.profile) / hot1.events).toFixed(2)} per event), ${ms(sqlTotalMs(hot1.profile) / hot1.events)} ms of SQL ` +
        `per event of ${ms(hot1.latency.mean / hot1.batch)} ms per event in all; SQL time: ` +
        byTime(hot1.profile)
          .slice(0, 3)
          .map(([kind, t]) => `${kind} ${percent(t.totalMs, sqlTotalMs(hot1.profile))}`)
          .join(', ') +
        '; the rest is HTTP, JSON, validation, canonical JSON and hashing on the one JavaScript thread.',
    );
  }
  const hotMax = report.rows.find((r) => r.mode === 'hot' && r.writers === Math.max(...options.writers) && r.batch === largest);
  if (hotMax && hotMax.writers > 1) {
    const alone = hot1 ? ` (${rate(hot1.eventsPerSecond)} events/s with ${writersLabel(hot1.writers)})` : '';
    lines.push(
      `With ${writersLabel(hotMax.writers)} on one tenant, appends queue on the tenant's head row: ${percent(headWaitMs(hotMax.profile), sqlTotalMs(hotMax.profile))} ` +
        `of the SQL time is waiting for it, so ${rate(hotMax.eventsPerSecond)} events/s is no more than one writer manages${alone}, ` +
        `and latency grows with the queue.`,
    );
  }
  const big = report.big;
  if (big) {
    const pages = verifyPages(big.measurement.verify.profile);
    if (pages) {
      lines.push(
        `\`verifyAuditLog\` reads the events in ${pages.count} pages (${pages.how}): ${percent(pages.totalMs, big.measurement.verify.seconds * 1000)} ` +
          `of its time, the first page ${ms(pages.firstMs)} ms, the last ${ms(pages.lastMs)} ms` +
          `${pages.offset ? ' (each OFFSET page rescans everything before it)' : ''}; the rest is recomputing canonical JSON, leaf hashes and the tree.`,
      );
    }
    const [inclusion] = big.measurement.queries;
    const nodeReads = [...inclusion.profile].filter(([kind]) => kind.startsWith('tree node'));
    const nodeMs = nodeReads.reduce((total, [, t]) => total + t.totalMs, 0);
    const nodeQueries = nodeReads.reduce((total, [, t]) => total + t.count, 0);
    lines.push(
      `An inclusion proof (path and signed checkpoint) makes ${(sqlCount(inclusion.profile) / inclusion.calls).toFixed(1)} SQL statements, ` +
        `${(nodeQueries / inclusion.calls).toFixed(1)} of them for tree nodes (${ms(nodeMs / inclusion.calls)} ms per call); ` +
        `SQL is ${ms(sqlTotalMs(inclusion.profile) / inclusion.calls)} ms of its mean ${ms(inclusion.latency.mean)} ms.`,
    );
  }
  return lines;
}

const BIG_ROW_NAMES: Record<string, string> = {
  'random event, latest tree size': 'random event, latest size',
  'random 1 <= fromSize < toSize <= size': 'random sizes',
  'latest tree size (already signed)': 'latest size',
  'random earlier tree size (signs and stores a new checkpoint)': 'random size (signs and stores one)',
};

/** A block for the README's "Benchmarks" section. */
export function auditReadmeBlock(report: AuditBenchReport): string {
  const { machine, options } = report;
  const rows = report.rows.map(
    (row) =>
      `| ${row.mode === 'hot' ? '1 (hot)' : row.tenants} | ${row.writers} | ${row.batch} | ${rate(row.eventsPerSecond)} | ` +
      `${ms(row.latency.p50)} ms | ${ms(row.latency.p99)} ms | ${ms(row.latency.p50 / row.batch)} ms | ${appendErrors(row)} |`,
  );
  const lines = [
    '### Audit log (`npm run bench:audit`)',
    '',
    `Measured ${report.date} on ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB.toFixed(1)} GiB, ` +
      `Node ${machine.node} (${machine.os.split(' ').slice(0, 2).join(' ')}); PostgreSQL ${report.postgres} on the same machine. ` +
      `The audit service in one Node process (\`NODE_ENV=production\`, pool ${options.poolSize}` +
      `${report.checkpointInterval ? `, periodic checkpoints every ${report.checkpointInterval} s` : ''}); writers in the same process ` +
      `POST batches to \`/internal/audit/events\` over real HTTP with keep-alive and the service credential, exactly as an ` +
      `outbox relay does (one tenant per batch; a relay sends up to 100). ${options.seconds} s per row after a ${options.warmupSeconds} s ` +
      `warm-up; the logs grow from row to row. Latency is per POST: each event in it is appended (committed) when the POST answers.`,
    '',
    '| tenants | writers | events/POST | events/s | POST p50 | POST p99 | p50 ÷ batch | errors |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ];
  const big = report.big;
  if (big) {
    const { build, measurement } = big;
    const measured = build.events >= MILLION ? count(build.events) : `${count(build.events)} (fewer than a million: see below)`;
    const took = build.seconds >= 120 ? `${(build.seconds / 60).toFixed(1)} min` : `${build.seconds.toFixed(1)} s`;
    lines.push(
      '',
      `| one tenant's log, ${measured} events | p50 | p99 | SQL statements |`,
      '|---|---:|---:|---:|',
      `| built through the ingest route (${options.buildBatch} events/POST, ${options.buildInFlight} in flight), ${rate(build.eventsPerSecond)} events/s | ` +
        `${took} | | ${(sqlCount(build.profile) / build.events).toFixed(2)} per event |`,
      `| \`verifyAuditLog\`, one run, full recomputation of every leaf and the root | ${measurement.verify.seconds.toFixed(1)} s | | ` +
        `${count(sqlCount(measurement.verify.profile))} per run |`,
      ...measurement.queries.map(
        (q) =>
          `| \`${q.name}\`, ${BIG_ROW_NAMES[q.detail] ?? q.detail}, ${q.calls} calls | ${ms(q.latency.p50)} ms | ${ms(q.latency.p99)} ms | ` +
          `${(sqlCount(q.profile) / q.calls).toFixed(1)} per call |`,
      ),
      '',
      `Queries through the audit subgraph's schema in process (\`executeOnSubgraph\`, an AUDITOR principal), ` +
        `so without the gateway and HTTP hop; every timed inclusion proof and a sample of consistency proofs ` +
        `verified with an independent RFC 9162 verifier.`,
    );
    const extra = extrapolation(big);
    if (extra.length) lines.push('', ...extra.map((line) => line.trim()));
  }
  lines.push('', ...findings(report).map((line) => `- ${line}`), '', ...targetLines(report).map((line) => `- Aim: ${line}.`));
  return lines.join('\n');
}
