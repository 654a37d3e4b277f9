import { randomUUID } from 'node:crypto';
import type { InProcessSubgraph } from '@compliance-graph/testing';
import type { AuditRun } from './audit';
import { asAuditor, auditRecord, ingestBody, postBatch } from './audit-api';
import { closedLoop, errorCount } from './closed-loop';
import { eventLoopMeter } from './machine';
import { figure, ms, percent, table } from './table';

/** verifyAuditLog of each tenant: concurrent appends must leave contiguous, verifiable logs. */
async function logsVerify(audit: InProcessSubgraph, tenants: string[]): Promise<boolean> {
  for (const tenantId of tenants) {
    type Verified = { verifyAuditLog: { ok: boolean; eventsChecked: number; treeSize: number } };
    const { verifyAuditLog: log } = await asAuditor(audit, tenantId)<Verified>('{ verifyAuditLog { ok eventsChecked treeSize } }');
    if (!log.ok || log.eventsChecked !== log.treeSize) return false;
  }
  return true;
}

/**
 * One row for each events/POST × tenants × writers: `writers` relays POST batches in a closed loop,
 * to one hot tenant (serialised by its log head's row lock) or round-robin to many.
 */
export async function appendMatrix({ options: { seconds, warmup, writers, batch, tenants }, client, audit, postgres, progress, signal }: AuditRun) {
  const tenantSets: Array<[string, string[]]> = [
    ['1 (hot)', [randomUUID()]],
    [String(tenants), Array.from({ length: tenants }, () => randomUUID())],
  ];
  const allTenants = tenantSets.flatMap(([, ids]) => ids);
  const appender = (ids: string[], size: number) => {
    let next = 0;
    return () => {
      const tenantId = ids[next++ % ids.length];
      return postBatch(client, ingestBody(Array.from({ length: size }, () => auditRecord(tenantId))), size);
    };
  };
  if (warmup > 0) {
    progress(`warm-up: ${warmup} s, 8 writers, 10 events per POST, to all tenants`);
    await closedLoop(8, warmup, signal, appender(allTenants, 10));
  }
  const rows = [];
  for (const size of batch) {
    for (const [label, ids] of tenantSets) {
      for (const clients of writers) {
        progress(`appending: ${label} tenant(s), ${clients} writer(s), ${size} event(s) per POST, ${seconds} s`);
        await postgres.resetSql();
        const meter = eventLoopMeter();
        const result = await closedLoop(clients, seconds, signal, appender(ids, size));
        rows.push({ tenants: label, batch: size, ...result, eventsPerSecond: (result.ok * size) / result.seconds, sql: await postgres.readSql(), eventLoop: meter() });
      }
    }
  }
  if (signal.aborted) throw new Error('interrupted');
  progress('verifying every log written above');
  const allVerify = await logsVerify(audit, allTenants);

  const cells = rows.map((row) => [
    row.tenants,
    row.clients,
    row.batch,
    figure(row.eventsPerSecond),
    ms(row.latency.p50),
    ms(row.latency.p99),
    errorCount(row),
    figure(row.sql.statements / Math.max(1, row.ok)),
    ms(row.sql.totalMs / Math.max(1, row.ok)),
    percent(row.eventLoop),
  ]);
  const header = ['tenants', 'writers', 'events/POST', 'events/s', 'POST p50', 'POST p99', 'errors', 'SQL/POST', 'SQL time/POST', 'event loop'];
  return {
    table: `appends: latency per POST (its events are committed when it answers), SQL counted by pg_stat_statements\n${table(header, cells)}\n  the logs of all ${allTenants.length} tenants verify: ${allVerify ? 'yes' : 'NO'}`,
    figures: { rows, allVerify },
    failures: [
      ...rows.filter((row) => errorCount(row) > 0).map((row) => `POSTs failed (${row.tenants} tenants, ${row.clients} writers, batch ${row.batch}): ${JSON.stringify(row.errors)}`),
      ...(allVerify ? [] : ['the logs written by the append rows do not verify']),
    ],
  };
}
