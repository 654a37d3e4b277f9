import { randomUUID } from 'node:crypto';
import type { AuditRun } from './audit';
import { auditRecord, ingestBody, postBatch } from './audit-api';
import { closedLoop, errorCount } from './closed-loop';
import { eventLoopMeter } from './machine';
import { figure, ms, percent, table } from './table';

/**
 * One row for each events/POST × tenants × writers: `writers` relays POST batches in a closed loop,
 * to one hot tenant (serialised by its log head's row lock) or round-robin to many.
 */
export async function appendMatrix({ options, client, postgres, progress, signal }: AuditRun) {
  const { seconds, warmup, writers, batch, tenants } = options;
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
        const eventsPerSecond = (result.ok * size) / result.seconds;
        rows.push({ tenants: label, batch: size, ...result, eventsPerSecond, sql: await postgres.readSql(), eventLoop: meter() });
      }
    }
  }
  if (signal.aborted) throw new Error('interrupted');

  const appendTable = table(rows, {
    tenants: (row) => row.tenants,
    writers: (row) => row.clients,
    'events/POST': (row) => row.batch,
    'events/s': (row) => figure(row.eventsPerSecond),
    'POST p50': (row) => ms(row.latency.p50),
    'POST p99': (row) => ms(row.latency.p99),
    errors: errorCount,
    'SQL/POST': (row) => figure(row.sql.statements / Math.max(1, row.ok)),
    'SQL time/POST': (row) => ms(row.sql.totalMs / Math.max(1, row.ok)),
    'event loop': (row) => percent(row.eventLoop),
  });
  return {
    table: `appends: latency per POST (its events are committed when it answers), SQL by pg_stat_statements\n${appendTable}`,
    figures: rows,
    failures: rows
      .filter((row) => errorCount(row) > 0)
      .map((row) => `POSTs failed (${row.tenants} tenants, ${row.clients} writers, batch ${row.batch}): ${JSON.stringify(row.errors)}`),
  };
}
