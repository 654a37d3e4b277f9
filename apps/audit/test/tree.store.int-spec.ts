import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import type { DataSource, EntityManager } from 'typeorm';
import { createDataSource, withTenant } from '@compliance-graph/db';
import { migrateForTests, testDatabaseUrl } from '@compliance-graph/testing';
import { AUDIT_SCHEMA, auditMigrations } from '../src';
import { ingestMetrics } from '../src/ingest/ingest.metrics';
import { IngestService } from '../src/ingest/ingest.service';
import { TreeStore } from '../src/log/tree.store';
import { consistencyProof, inclusionProof, rootHash } from '@compliance-graph/audit-log';

/** Proofs from the stored tree cost one query for all their nodes, not one per node. */
describe('TreeStore', () => {
  const tenant = randomUUID();
  const size = 1000;
  let db: DataSource;

  beforeAll(async () => {
    await migrateForTests({ schema: AUDIT_SCHEMA, migrations: auditMigrations });
    db = createDataSource({ databaseUrl: testDatabaseUrl(), schema: AUDIT_SCHEMA, role: 'app', poolSize: 2 });
    await db.initialize();
    const records = Array.from({ length: size }, () => ({
      id: randomUUID(),
      tenantId: tenant,
      occurredAt: new Date().toISOString(),
      action: 'tenant.settings_updated',
      actorKind: 'SYSTEM',
      actorId: null,
      subjectType: 'Tenant',
      subjectId: tenant,
      service: 'identity',
      ip: null,
      userAgent: null,
      reason: null,
      data: {},
    }));
    await new IngestService(db, ingestMetrics(new Registry())).ingest(records);
  });
  afterAll(() => db.destroy());

  /** The transaction, with every query counted. */
  const counted = (tx: EntityManager) => {
    const counter = { queries: 0 };
    const proxy = new Proxy(tx, {
      get: (target, key) => (key === 'query' ? (...args: Parameters<EntityManager['query']>) => (counter.queries++, target.query(...args)) : Reflect.get(target, key)),
    });
    return { proxy, counter };
  };

  it.each([
    ['a root', (source: TreeStore) => rootHash(source, 777)],
    ['an inclusion proof', (source: TreeStore) => inclusionProof(source, 513, 999)],
    ['a consistency proof', (source: TreeStore) => consistencyProof(source, 321, 1000)],
  ])('reads %s in one query after prefetching, and gets the same answer', async (_label, work) => {
    await withTenant(db, tenant, async (tx) => {
      const plain = counted(tx);
      const expected = await work(new TreeStore(plain.proxy, tenant));
      const batched = counted(tx);
      const store = new TreeStore(batched.proxy, tenant);
      await store.prefetch((source) => work(source as TreeStore));
      expect(await work(store)).toEqual(expected);
      expect(batched.counter.queries).toBe(1);
      expect(plain.counter.queries).toBeGreaterThan(1);
    });
  });
});
