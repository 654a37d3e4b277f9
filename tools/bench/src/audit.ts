import { randomBytes } from 'node:crypto';
import { generateSigningKey } from '@compliance-graph/auth';
import { AUDIT_SCHEMA, auditMigrations, loadAuditConfig, startAuditService } from '@compliance-graph/audit';
import { loginPasswords, migrateServiceSchema, serviceLoginUrls } from '@compliance-graph/db';
import { appendMatrix } from './appends';
import { INGEST_PATH } from './audit-api';
import type { InProcessSubgraph } from '@compliance-graph/testing';
import { defineBench, step, type BenchContext } from './bench';
import { bigLog } from './big-log';
import { httpClient, type HttpClient } from './http-client';
import { number, numbers, type Values } from './options';
import { startBenchPostgres, type BenchPostgres } from './postgres';

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

const AUDIT_OPTIONS = {
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
};

/** What the two phases of the audit bench work with; `client` POSTs to the ingest route with a relay's credential. */
export type AuditRun = Pick<BenchContext, 'progress' | 'signal'> & {
  options: Values<typeof AUDIT_OPTIONS>;
  client: HttpClient;
  audit: InProcessSubgraph;
  postgres: BenchPostgres;
};

export const auditBench = defineBench({
  summary: 'audit: appends through the ingest route (tenants x writers x events/POST), then proofs and verification on a big log',
  options: AUDIT_OPTIONS,
  async run(options, { signal, onStop, print, progress }) {
    const postgres = await step('starting PostgreSQL', startBenchPostgres);
    onStop(postgres.stop);
    const token = randomBytes(32).toString('base64url');
    const audit = await step('starting the audit service', () => startAudit(postgres, options.pool, token));
    onStop(audit.stop);
    print(`postgres: PostgreSQL ${postgres.version}, ${postgres.description}`);
    print(`service: audit in this process, NODE_ENV=production, DATABASE_POOL_SIZE=${options.pool}; writers POST ${INGEST_PATH} over HTTP`);
    const client = httpClient(`${audit.url}${INGEST_PATH}`, Math.max(...options.writers, options.buildInFlight), {
      authorization: `Bearer ${token}`,
    });
    onStop(async () => client.close());
    const run: AuditRun = { options, client, audit, postgres, progress, signal };

    const appends = await step('the append rows', () => appendMatrix(run));
    print();
    print(appends.table);
    const failures = appends.failures;
    let bigLogFigures;
    if (options.logEvents > 0) {
      const measured = await step('the big log', () => bigLog(run));
      print();
      print(measured.table);
      failures.push(...measured.failures);
      bigLogFigures = measured.figures;
    }
    return { figures: { postgres: postgres.version, appends: appends.figures, bigLog: bigLogFigures }, failures };
  },
});
