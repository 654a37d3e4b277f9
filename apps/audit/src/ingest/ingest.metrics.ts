import { Counter, Histogram, type Registry } from 'prom-client';

/**
 * The ingest's series: records appended (the append rate) and how long an append waited for
 * its tenant's head lock, the per-tenant serialisation point. No tenant label: tenants are
 * unbounded, and the wait's distribution already shows a hot tenant.
 */
export function ingestMetrics(registry: Registry) {
  return {
    appended: new Counter({
      name: 'audit_records_appended_total',
      help: 'Audit records appended to tenants’ logs (duplicates of records already in the log not counted)',
      registers: [registry],
    }),
    headLockWait: new Histogram({
      name: 'audit_head_lock_wait_seconds',
      help: 'Time an append waited for its tenant’s log head lock',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
}

export type IngestMetrics = ReturnType<typeof ingestMetrics>;
