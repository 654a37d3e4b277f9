import { randomBytes, randomUUID } from 'node:crypto';
import { generateSigningKey } from '@compliance-graph/auth';
import { AUDIT_SCHEMA, auditMigrations, loadAuditConfig, startAuditService } from '@compliance-graph/audit';
import { loginPasswords, migrateServiceSchema, serviceLoginUrls } from '@compliance-graph/db';
import { executeOnSubgraph, principal, type InProcessSubgraph } from '@compliance-graph/testing';
import { auditRecord, ingestBody, INGEST_PATH, postBatch } from './audit-records';
import { defineBench, step } from './bench';
import { buildBigLog, measureBigLog } from './big-log';
import { closedLoop, errorCount } from './closed-loop';
import { graphqlHttpClient } from './http-client';
import { cpuMeter } from './machine';
import { number, numbers } from './options';
import { startBenchPostgres, type BenchPostgres } from './postgres';
import { figure, ms, percent, table } from './table';

async function startAudit(postgres: BenchPostgres, poolSize: number, ingestToken: string) {
  const passwords = loginPasswords(randomBytes(32).toString('base64url'), AUDIT_SCHEMA);
  await migrateServiceSchema(postgres.url, { schema: AUDIT_SCHEMA, migrations: auditMigrations }, passwords);
  const logins = serviceLoginUrls(postgres.url, AUDIT_SCHEMA, passwords);
  return startAuditService(
    loadAuditConfig({
      NODE_ENV: 'production',
      LOG_LEVEL: 'error',
      HOST: '127.0.0.1',
      PORT: '0',
      DATABASE_URL: logins.app,
      DATABASE_WORKER_URL: logins.worker,
      DATABASE_POOL_SIZE: String(poolSize),
      ROUTER_SECRET: randomBytes(32).toString('base64url'),
      // Nothing presents a user token: queries run in process with a principal.
      IDENTITY_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
      AUDIT_SIGNING_KEYS: JSON.stringify([await generateSigningKey()]),
      INGEST_CREDENTIALS: JSON.stringify({ evidence: ingestToken }),
    }),
  );
}

/** verifyAuditLog of each tenant as its AUDITOR: the appends must have left contiguous, verifiable logs. */
async function logsVerify(audit: InProcessSubgraph, tenants: string[]): Promise<boolean> {
  for (const tenantId of tenants) {
    const result = await executeOnSubgraph<{ verifyAuditLog: { ok: boolean; eventsChecked: number; treeSize: number } }>(
      audit,
      '{ verifyAuditLog { ok eventsChecked treeSize } }',
      {},
      { principal: principal(tenantId, 'AUDITOR') },
    );
    const verified = result.data?.verifyAuditLog;
    if (!verified?.ok || verified.eventsChecked !== verified.treeSize) return false;
  }
  return true;
}

export const auditBench = defineBench({
  summary: 'audit: appends through the ingest route (tenants x writers x events/POST), then proofs and verification on a big log',
  options: {
    seconds: number(10, 'length of each append row in seconds', { min: 0.1 }),
    warmup: number(3, 'unmeasured appends before the rows, in seconds', { min: 0 }),
    writers: numbers([1, 8, 32], 'concurrent writers (outbox relays) per row', { min: 1, max: 1000, integer: true }),
    batch: numbers([1, 100], 'events per POST (a relay sends up to 100)', { min: 1, max: 5000, integer: true }),
    tenants: number(100, 'tenants of the "many tenants" rows', { min: 2, integer: true }),
    logEvents: number(1_000_000, 'events in the big one-tenant log; 0 skips it', { min: 0, integer: true }),
    buildBatch: number(1000, 'events per POST while building the big log', { min: 1, max: 5000, integer: true }),
    buildInFlight: number(2, 'POSTs in flight while building the big log', { min: 1, max: 64, integer: true }),
    proofs: number(200, 'measured calls per proof and checkpoint query on the big log', { min: 10, integer: true }),
    pool: number(10, 'DATABASE_POOL_SIZE of the audit service', { min: 1, max: 100, integer: true }),
  },
  async run(options, { signal, onStop, print, progress }) {
    const postgres = await step('starting PostgreSQL', startBenchPostgres);
    onStop(postgres.stop);
    const token = randomBytes(32).toString('base64url');
    const audit = await step('starting the audit service', () => startAudit(postgres, options.pool, token));
    onStop(audit.stop);
    print(`postgres: PostgreSQL ${postgres.version}, ${postgres.description}`);
    print(`service: audit in this process, NODE_ENV=production, DATABASE_POOL_SIZE=${options.pool}; writers POST ${INGEST_PATH} over HTTP`);
    const client = graphqlHttpClient(`${audit.url}${INGEST_PATH}`, Math.max(...options.writers, options.buildInFlight), {
      authorization: `Bearer ${token}`,
    });
    onStop(async () => client.close());

    const tenantSets: Array<[string, string[]]> = [
      ['1 (hot)', [randomUUID()]],
      [String(options.tenants), Array.from({ length: options.tenants }, () => randomUUID())],
    ];
    const allTenants = tenantSets.flatMap(([, ids]) => ids);
    const appender = (tenants: string[], batch: number) => {
      let next = 0;
      return () => {
        const tenantId = tenants[next++ % tenants.length];
        return postBatch(client, ingestBody(Array.from({ length: batch }, () => auditRecord(tenantId))), batch);
      };
    };
    if (options.warmup > 0) {
      progress(`warm-up: ${options.warmup} s, 8 writers, 10 events per POST, to all tenants`);
      await closedLoop(8, options.warmup, signal, appender(allTenants, 10));
    }

    const rows = [];
    for (const batch of options.batch) {
      for (const [tenants, ids] of tenantSets) {
        for (const writers of options.writers) {
          progress(`appending: ${tenants} tenant(s), ${writers} writer(s), ${batch} event(s) per POST, ${options.seconds} s`);
          await postgres.resetSql();
          const meter = cpuMeter();
          const result = await closedLoop(writers, options.seconds, signal, appender(ids, batch));
          rows.push({ tenants, batch, ...result, eventsPerSecond: (result.ok * batch) / result.seconds, sql: await postgres.readSql(), cpu: meter() });
        }
      }
    }
    if (signal.aborted) throw new Error('interrupted');
    progress('verifying every log written above');
    const appendedLogsVerify = await logsVerify(audit, allTenants);

    print();
    print('appends: latency per POST (its events are committed when it answers); SQL per POST counted by pg_stat_statements');
    const appendRows = rows.map((row) => [
      row.tenants,
      row.clients,
      row.batch,
      figure(row.eventsPerSecond),
      ms(row.latency.p50),
      ms(row.latency.p99),
      errorCount(row),
      figure(row.sql.statements / Math.max(1, row.ok)),
      ms(row.sql.totalMs / Math.max(1, row.ok)),
      percent(row.cpu.eventLoop),
    ]);
    table(['tenants', 'writers', 'events/POST', 'events/s', 'POST p50', 'POST p99', 'errors', 'SQL/POST', 'SQL time/POST', 'event loop'], appendRows).forEach(
      (line) => print(line),
    );
    print(`logs of all ${allTenants.length} tenants verify: ${appendedLogsVerify ? 'yes' : 'NO'}`);

    const failures = [
      ...rows.filter((row) => errorCount(row) > 0).map((row) => `${errorCount(row)} POST(s) failed (${row.tenants} tenants, ${row.clients} writers, batch ${row.batch}): ${JSON.stringify(row.errors)}`),
      ...(appendedLogsVerify ? [] : ['the logs written by the append rows do not verify']),
    ];
    let bigLog;
    if (options.logEvents > 0) {
      const tenantId = randomUUID();
      progress(`big log: ${options.logEvents.toLocaleString('en')} events for one tenant, ${options.buildBatch} per POST, ${options.buildInFlight} in flight`);
      const build = await step('building the big log', () =>
        buildBigLog({ client, tenantId, events: options.logEvents, batch: options.buildBatch, inFlight: options.buildInFlight, postgres, progress, signal }),
      );
      const measured = await step('measuring the big log', () =>
        measureBigLog({ audit, auditor: principal(tenantId, 'AUDITOR'), sampleIds: build.sampleIds, calls: options.proofs, postgres, progress }),
      );
      print();
      print(
        `big log: ${build.events.toLocaleString('en')} events built in ${ms(build.seconds * 1000)} (${figure(build.eventsPerSecond)} events/s, ` +
          `${figure((1000 * build.sql.statements) / build.events)} SQL statements per 1,000 events, ${build.retries} retried POSTs)`,
      );
      measured.table.forEach((line) => print(line));
      failures.push(...measured.failures);
      bigLog = { build: { ...build, sampleIds: undefined }, ...measured.figures };
    }
    return { figures: { postgres: postgres.version, appends: rows, appendedLogsVerify, bigLog }, failures };
  },
});
