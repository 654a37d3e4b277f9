import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { openServicePool, withTenant } from '@compliance-graph/db';
import { admin, closeAdmin, testLoginUrls } from '@compliance-graph/testing';
import { insertEvidence } from './fixtures';
import { migrateAll } from './stack';

/**
 * Row-level security on its own, with no shield in front: raw SQL as the evidence service's
 * request role. Every other layer could be wrong and these must still hold.
 */
describe('row-level security, shield bypassed', () => {
  const tenantA = randomUUID();
  const tenantB = randomUUID();
  let app: DataSource;

  beforeAll(async () => {
    await migrateAll();
    for (const tenant of [tenantA, tenantB]) {
      for (let i = 0; i < 3; i++) await insertEvidence(tenant, randomUUID(), `${tenant === tenantA ? 'A' : 'B'} ${i}`);
    }
    app = await openServicePool({ databaseUrl: testLoginUrls('evidence').app, variable: 'DATABASE_URL', schema: 'evidence', role: 'app', poolSize: 1 });
  });
  afterAll(async () => {
    await app.destroy();
    await closeAdmin();
  });

  const tenantsSeen = (tenant: string) =>
    withTenant(app, tenant, async (tx) => {
      const rows: Array<{ tenant_id: string }> = await tx.query('SELECT tenant_id FROM evidence.evidence');
      return new Set(rows.map((r) => r.tenant_id));
    });

  it("sees only its own tenant's rows", async () => {
    expect([...(await tenantsSeen(tenantA))]).toEqual([tenantA]);
    expect([...(await tenantsSeen(tenantB))]).toEqual([tenantB]);
  });

  it("cannot read a row of another tenant by id", async () => {
    const { rows } = await admin().query('SELECT id FROM evidence.evidence WHERE tenant_id = $1 LIMIT 1', [tenantB]);
    const found = await withTenant(app, tenantA, (tx) => tx.query('SELECT id FROM evidence.evidence WHERE id = $1', [rows[0].id]));
    expect(found).toEqual([]);
  });

  it("refuses to insert a row for another tenant", async () => {
    // The database outlives a run: the title is this run's own.
    const title = `smuggled ${randomUUID()}`;
    const attempt = withTenant(app, tenantA, (tx) =>
      tx.query(
        `INSERT INTO evidence.evidence (tenant_id, title, source_kind, source_ref, collected_at, created_by)
         VALUES ($1, $3, 'MANUAL', 'x', now(), $2)`,
        [tenantB, randomUUID(), title],
      ),
    );
    await expect(attempt).rejects.toThrow(/row-level security/);
    const { rows } = await admin().query(`SELECT count(*)::int AS n FROM evidence.evidence WHERE title = $1`, [title]);
    expect(rows[0].n).toBe(0);
  });

  it("cannot move its own row to another tenant", async () => {
    const moved = withTenant(app, tenantA, (tx) =>
      tx.query('UPDATE evidence.evidence SET tenant_id = $1 WHERE tenant_id = $2', [tenantB, tenantA]),
    );
    await expect(moved).rejects.toThrow(/row-level security/);
  });

  it('sees nothing when no tenant is set', async () => {
    expect(await app.query('SELECT * FROM evidence.evidence')).toEqual([]);
    await expect(
      app.query(`INSERT INTO evidence.evidence (tenant_id, title, source_kind, source_ref, collected_at, created_by)
                 VALUES ($1, 'orphan', 'MANUAL', 'x', now(), $1)`, [tenantA]),
    ).rejects.toThrow(/row-level security/);
  });

  it('reads one snapshot, still scoped to its tenant, when asked for REPEATABLE READ', async () => {
    const [tenant, neighbour] = [randomUUID(), randomUUID()];
    await insertEvidence(tenant, randomUUID(), 'before');
    const titles = (tx: EntityManager) =>
      tx.query('SELECT title FROM evidence.evidence ORDER BY title').then((rows: Array<{ title: string }>) => rows.map((r) => r.title));
    const twoReads = (isolation?: 'REPEATABLE READ') =>
      withTenant(
        app,
        tenant,
        async (tx) => {
          const first = await titles(tx);
          await insertEvidence(tenant, randomUUID(), 'during');
          await insertEvidence(neighbour, randomUUID(), 'neighbour, during');
          return [first, await titles(tx)];
        },
        isolation,
      );
    expect(await twoReads('REPEATABLE READ')).toEqual([['before'], ['before']]);
    expect(await twoReads()).toEqual([['before', 'during'], ['before', 'during', 'during']]);
  });

  it('never leaks a tenant across 1,000 interleaved transactions on one pooled connection, failures included', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 1000 }, async (_, i) => {
        const tenant = i % 2 === 0 ? tenantA : tenantB;
        const failHalfway = i % 7 === 3;
        try {
          return await withTenant(app, tenant, async (tx) => {
            const rows: Array<{ tenant_id: string }> = await tx.query('SELECT tenant_id FROM evidence.evidence');
            if (failHalfway) throw new Error('fails after reading, before commit');
            return rows.every((r) => r.tenant_id === tenant) && rows.length === 3 ? 'own rows only' : 'LEAK';
          });
        } catch (error) {
          return (error as Error).message === 'fails after reading, before commit' ? 'rolled back' : `error: ${(error as Error).message}`;
        }
      }),
    );
    const counts = outcomes.reduce<Record<string, number>>((acc, o) => ({ ...acc, [o]: (acc[o] ?? 0) + 1 }), {});
    expect(counts).toEqual({ 'own rows only': 857, 'rolled back': 143 });
    // The connection the failed transactions used is back in the pool without any tenant.
    expect(await app.query(`SELECT current_setting('app.tenant_id', true) AS tenant`)).toEqual([{ tenant: '' }]);
    expect(await app.query('SELECT * FROM evidence.evidence')).toEqual([]);
  });
});
