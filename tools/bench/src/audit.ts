// The app packages declare decorated classes, which need this first.
import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { generateSigningKey } from '@compliance-graph/auth';
import { loginPasswords, migrateServiceSchema, serviceLoginUrls } from '@compliance-graph/db';
import { AUDIT_SCHEMA, auditMigrations, loadAuditConfig, startAuditService } from '@compliance-graph/audit';
import { executeOnSubgraph, principal, type InProcessSubgraph } from '@compliance-graph/testing';
import { AUDIT_USAGE, parseAuditArgs, type AuditBenchOptions } from './audit-args';
import { buildBigLog, measureBigLog } from './audit-big-log';
import { appendErrors, INGEST_PATH, runAppendPhase } from './audit-load';
import {
  appendBreakdown,
  appendTable,
  auditReadmeBlock,
  buildLines,
  duringVerifyLines,
  extrapolation,
  findings,
  profileTable,
  queryTable,
  targetLines,
  verifyLines,
  type AppendRow,
  type AuditBenchReport,
  type LogCheck,
  type TenantMode,
} from './audit-report';
import { serverVersion, startBenchDatabase, type BenchDatabase } from './database';
import { graphqlHttpClient } from './http-client';
import { describeMachineBefore, indent, runBench, say, step } from './bench-run';
import { cpuMeter, loadAverage } from './machine';
import { postgresCpuMeter } from './postgres-cpu';
import { installSqlProfiler } from './sql-profile';
import { elapsedMs } from './stats';

/**
 * npm run bench:audit: events/s and append latency through the audit service's real ingest
 * route (POST /internal/audit/events, as an outbox relay delivers) with 1, 8 and 32 writers,
 * for one hot tenant and for many; then a big single-tenant log: how long it takes to build,
 * to verify in full, and to answer proofs and checkpoints. A benchmark, not a test: it fails
 * only when it cannot measure, an append fails, or a log or proof does not verify.
 */

const SAMPLE_IDS = 1000;

interface Running {
  database: BenchDatabase;
  audit: InProcessSubgraph & { url: string };
  token: string;
}

async function start(
  options: AuditBenchOptions,
  cleanup: Array<() => Promise<void>>,
): Promise<Running & { postgres: string; checkpointInterval?: number }> {
  const database = await step('starting the database', () => startBenchDatabase());
  cleanup.push(() => database.stop());
  const postgres = await step('connecting to the database', () => serverVersion(database.url));
  const passwords = loginPasswords(randomBytes(32).toString('base64url'), AUDIT_SCHEMA);
  await step('migrating the audit schema', () =>
    migrateServiceSchema(database.url, { schema: AUDIT_SCHEMA, migrations: auditMigrations }, passwords),
  );
  const logins = serviceLoginUrls(database.url, AUDIT_SCHEMA, passwords);
  const token = randomBytes(32).toString('base64url');
  const config = loadAuditConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'error',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: logins.app,
    DATABASE_WORKER_URL: logins.worker,
    DATABASE_POOL_SIZE: String(options.poolSize),
    ROUTER_SECRET: randomBytes(32).toString('base64url'),
    // Nothing here presents a user token (queries run in process with a principal).
    IDENTITY_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
    AUDIT_SIGNING_KEYS: JSON.stringify([await generateSigningKey()]),
    INGEST_CREDENTIALS: JSON.stringify({ evidence: token }),
  });
  const audit = await step('starting the audit service', () => startAuditService(config));
  cleanup.push(() => audit.stop());
  // Read generically: the setting is the service's, and the benchmark only reports it.
  const interval = Number((config as Record<string, unknown>).AUDIT_CHECKPOINT_INTERVAL_SECONDS);
  return { database, audit, token, postgres, checkpointInterval: Number.isFinite(interval) ? interval : undefined };
}

/** verifyAuditLog of each tenant, as its AUDITOR: the appends above left contiguous, verifiable logs. */
async function checkLogs(audit: InProcessSubgraph, label: string, tenants: string[]): Promise<LogCheck> {
  const started = process.hrtime.bigint();
  let events = 0;
  let ok = true;
  for (const tenantId of tenants) {
    const result = await executeOnSubgraph<{ verifyAuditLog: { ok: boolean; eventsChecked: number; treeSize: number } }>(
      audit,
      '{ verifyAuditLog { ok eventsChecked treeSize } }',
      {},
      { principal: principal(tenantId, 'AUDITOR') },
    );
    const verified = result.data?.verifyAuditLog;
    if (!verified) throw new Error(`verifyAuditLog of ${tenantId}: ${result.errors?.[0]?.message ?? 'no data'}`);
    events += verified.eventsChecked;
    ok &&= verified.ok && verified.eventsChecked === verified.treeSize;
  }
  return { label, tenants: tenants.length, events, ok, seconds: elapsedMs(started) / 1000 };
}

async function run(options: AuditBenchOptions, cleanup: Array<() => Promise<void>>, signal: AbortSignal): Promise<number> {
  const profiler = installSqlProfiler();
  cleanup.push(async () => profiler.uninstall());
  const { machine, busyBefore, loadBefore } = await describeMachineBefore('Compliance Graph: audit log benchmark');

  const { database, audit, token, postgres, checkpointInterval } = await start(options, cleanup);
  say(`database  PostgreSQL ${postgres}: ${database.description}`);
  say(`service   audit ${audit.url} in this process (NODE_ENV=production, DATABASE_POOL_SIZE=${options.poolSize}, fresh random keys)`);
  if (checkpointInterval !== undefined) say(`          periodic checkpoints every ${checkpointInterval} s (AUDIT_CHECKPOINT_INTERVAL_SECONDS, default), as deployed`);
  const postgresMeter = postgresCpuMeter(database.dataDir);
  if (!postgresMeter) say('          (PostgreSQL is not embedded: its CPU use is not measured, "other" includes it)');

  const maxWriters = Math.max(...options.writers, options.buildInFlight);
  const client = graphqlHttpClient(`${audit.url}${INGEST_PATH}`, maxWriters, { authorization: `Bearer ${token}` });
  cleanup.push(async () => client.close());

  const hot = [randomUUID()];
  const many = Array.from({ length: options.tenants }, () => randomUUID());
  const tenantsOf = (mode: TenantMode) => (mode === 'hot' ? hot : many);
  if (options.warmupSeconds > 0) {
    say(`warm-up   ${options.warmupSeconds} s: 8 writers, batches of 10, half to the hot tenant, half to the ${options.tenants} others ...`);
    for (const mode of ['hot', 'many'] as const) {
      await runAppendPhase({ client, tenants: tenantsOf(mode), writers: 8, batch: 10, seconds: options.warmupSeconds / 2, signal });
    }
  }

  const rows: AppendRow[] = [];
  for (const batch of options.batches) {
    for (const mode of ['hot', 'many'] as const) {
      for (const writers of options.writers) {
        if (signal.aborted) break;
        profiler.take();
        const meter = cpuMeter();
        const pg = postgresMeter?.();
        const result = await runAppendPhase({ client, tenants: tenantsOf(mode), writers, batch, seconds: options.seconds, signal });
        const row: AppendRow = { ...result, mode, cpu: meter(), postgresCores: pg?.(), profile: profiler.take() };
        rows.push(row);
        say(
          `measured  ${mode === 'hot' ? '1 hot tenant' : `${options.tenants} tenants`}, ${writers} writer(s), batch ${batch}: ` +
            `${row.eventsPerSecond.toFixed(0)} events/s, POST p99 ${row.latency.p99.toFixed(1)} ms, ${appendErrors(row)} errors`,
        );
      }
    }
  }
  if (signal.aborted) throw new Error('interrupted before the append rows finished');

  say('checking  verifyAuditLog of every tenant written above ...');
  const checks = [await checkLogs(audit, 'hot tenant', hot), await checkLogs(audit, `${options.tenants} tenants`, many)];

  let big: AuditBenchReport['big'];
  if (options.events > 0) {
    const tenantId = randomUUID();
    say(
      `big log   building ${options.events.toLocaleString('en')} events for one tenant through POST ${INGEST_PATH} ` +
        `(${options.buildBatch} per POST, ${options.buildInFlight} in flight) ...`,
    );
    const build = await step('building the big log', () =>
      buildBigLog({
        client,
        tenantId,
        events: options.events,
        batch: options.buildBatch,
        inFlight: options.buildInFlight,
        samples: SAMPLE_IDS,
        profiler,
        postgresMeter,
        progress: (line) => say(`          ${line}`),
        signal,
      }),
    );
    const measurement = await step('measuring the big log', () =>
      measureBigLog({
        audit,
        auditor: principal(tenantId, 'AUDITOR'),
        sampleIds: build.sampleIds,
        calls: options.proofCalls,
        profiler,
        postgresMeter,
        progress: (line) => say(`          ${line}`),
      }),
    );
    big = { tenantId, build, measurement };
  }
  const loadAfter = loadAverage();

  const report: AuditBenchReport = {
    date: new Date().toISOString().slice(0, 10),
    options,
    checkpointInterval,
    machine,
    database: database.description,
    postgres,
    rows,
    checks,
    big,
    busyBefore,
    loadBefore,
    loadAfter,
  };
  say();
  say(`appends: POST ${INGEST_PATH} over real HTTP (keep-alive, service credential), latency per POST (its events are committed when it answers)`);
  say('  ms/event = POST p50 / batch; cores: node = this process (service + writers), postgres = the embedded server, other = the rest of the machine');
  indent(appendTable(rows));
  for (const row of rows) for (const [code, n] of row.errors) say(`  errors (${row.mode}, ${row.writers} writers, batch ${row.batch}): ${n} x ${code}`);
  say();
  say('where an append goes (SQL statements timed in node-postgres, send to result, lock waits included; outside SQL =');
  say(`HTTP, JSON, validation, canonical JSON, hashing, and waiting for one of the ${options.poolSize} pooled connections)`);
  indent(rows.map(appendBreakdown));
  for (const row of rows.filter((r) => r.mode === 'hot' && (r.writers === Math.min(...options.writers) || r.writers === Math.max(...options.writers)))) {
    say();
    say(`  ${row.mode === 'hot' ? '1 hot tenant' : 'many tenants'}, ${row.writers} writer(s), batch ${row.batch}, per event:`);
    indent(profileTable(row.profile, row.events, 'event').map((line) => `  ${line}`));
  }
  say();
  say('logs written above, checked with verifyAuditLog');
  for (const check of checks) {
    say(`  ${check.label}: ${check.events.toLocaleString('en')} events in ${check.tenants} log(s), ${check.ok ? 'all verify' : 'NOT ALL VERIFY'} (${check.seconds.toFixed(1)} s)`);
  }
  if (big) {
    say();
    say(`big log of one tenant (${big.tenantId})`);
    indent(buildLines(big.build, options));
    say();
    say(`  per event while building (with ${options.buildInFlight} POSTs in flight, one waits on the head row while the other appends:`);
    say('  that wait overlaps the work, so the SQL times add up to more than the wall time):');
    indent(profileTable(big.build.profile, big.build.events, 'event').map((line) => `  ${line}`));
    say();
    say('verifyAuditLog on the big log, through the schema in process as an AUDITOR');
    indent(verifyLines(big));
    indent(profileTable(big.measurement.verify.profile, 1, 'run').map((line) => `  ${line}`));
    say();
    say('other requests while the big log is verified (the service is one JavaScript thread)');
    indent(duringVerifyLines(big));
    say();
    say('proofs and checkpoints on the big log, through the schema in process as an AUDITOR (executeOnSubgraph, no HTTP)');
    indent(queryTable(big.measurement.queries));
    for (const query of big.measurement.queries) {
      say();
      say(`  ${query.name} (${query.detail}), per call:`);
      indent(profileTable(query.profile, query.calls, 'call').map((line) => `  ${line}`));
    }
    const extra = extrapolation(big);
    if (extra.length) {
      say();
      extra.forEach((line) => say(line));
    }
  }
  say();
  say('where the time goes');
  indent(findings(report));
  say();
  say('aims of the issue');
  indent(targetLines(report));
  say();
  say(`load average before: ${loadBefore}; after: ${loadAfter} (other jobs on this machine show up here and in the "other" column)`);
  say();
  say('--- for the README (## Benchmarks) ---');
  say(auditReadmeBlock(report));
  say('--- end ---');

  const failures = [
    ...rows.filter((row) => appendErrors(row) > 0).map((row) => `${appendErrors(row)} append(s) failed (${row.mode}, ${row.writers} writers, batch ${row.batch})`),
    ...checks.filter((check) => !check.ok).map((check) => `the logs of ${check.label} do not verify`),
    ...(big && !big.measurement.verify.ok ? ['the big log does not verify'] : []),
    ...(big && !big.measurement.verify.rootMatchesCheckpoint ? ["the big log's recomputed root differs from its checkpoint"] : []),
    ...(big?.measurement.queries ?? [])
      .filter((q) => q.verified && q.verified.ok !== q.verified.checked)
      .map((q) => `${q.verified!.checked - q.verified!.ok} ${q.name} answer(s) failed verification`),
  ];
  for (const failure of failures) process.stderr.write(`bench:audit: ${failure}\n`);
  return failures.length > 0 ? 1 : 0;
}

runBench({ name: 'bench:audit', usage: AUDIT_USAGE, parse: parseAuditArgs, run });
