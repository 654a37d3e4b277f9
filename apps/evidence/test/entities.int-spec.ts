import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@compliance-graph/config';
import { createDataSource } from '@compliance-graph/db';
import { startSubgraphServer, type RunningSubgraph } from '@compliance-graph/runtime';
import {
  admin,
  bearer,
  closeAdmin,
  migrateForTests,
  mintToken,
  postGraphql,
  principal,
  testDatabaseUrl,
  testTokenVerifier,
} from '@compliance-graph/testing';
import { EvidenceEntity } from '../src/evidence/evidence.entity';
import { EvidenceService } from '../src/evidence/evidence.service';
import { AccessReviewReportService } from '../src/access-review/access-review-report.service';
import { createEvidenceLoaders, type EvidenceLoaders } from '../src/loaders';
import { FsBlobStore } from '../src/storage/fs-blob-store';
import { evidenceMigrations } from '../src/migrations';
import { buildEvidenceSchema } from '../src/schema';
import { EVIDENCE_SCHEMA } from '../src/service';

const ROUTER_SECRET = 'entities-test-router-secret-0123456789';
const ENTITIES = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Evidence { id title } } }`;

/**
 * `_entities` reaches reference resolvers without passing any Query rule, so the type-level
 * shield rule must hold on its own. Each server here runs the real evidence schema; one of
 * them reads through the BYPASSRLS worker role, so only shield stands between a caller and a
 * foreign tenant's row.
 */
describe('evidence entities fetched directly on the subgraph', () => {
  const tenantA = randomUUID();
  const tenantB = randomUUID();
  const evidenceOfB = randomUUID();
  const servers: RunningSubgraph<EvidenceLoaders>[] = [];

  async function serve(role: 'app' | 'worker') {
    const db = createDataSource({ databaseUrl: testDatabaseUrl(), schema: EVIDENCE_SCHEMA, role, entities: [EvidenceEntity], poolSize: 2 });
    await db.initialize();
    const evidence = new EvidenceService(db);
    const server = await startSubgraphServer({
      service: 'evidence',
      schema: await buildEvidenceSchema(),
      host: '127.0.0.1',
      port: 0,
      routerSecret: ROUTER_SECRET,
      verifyAccessToken: await testTokenVerifier(),
      logger: createLogger('evidence', 'error'),
      production: false,
      checkReadiness: async () => undefined,
      createLoaders: (p) => createEvidenceLoaders(evidence, new AccessReviewReportService(db, new FsBlobStore(mkdtempSync(join(tmpdir(), 'cg-entities-blobs-')))), p),
      onStop: () => db.destroy(),
    });
    servers.push(server);
    return server;
  }

  const fetchEntity = async (server: RunningSubgraph<EvidenceLoaders>, tenant: string, id: string) =>
    postGraphql(
      `${server.url}/graphql`,
      { query: ENTITIES, variables: { reps: [{ __typename: 'Evidence', id }] } },
      { 'x-router-secret': ROUTER_SECRET, ...bearer(await mintToken(principal(tenant, 'OWNER'))) },
    );

  beforeAll(async () => {
    await migrateForTests({ schema: EVIDENCE_SCHEMA, migrations: evidenceMigrations });
    await admin().query(
      `INSERT INTO evidence.evidence (id, tenant_id, title, source_kind, source_ref, collected_at, created_by)
       VALUES ($1, $2, 'Board minutes of B', 'MANUAL', 'note', now(), $3)`,
      [evidenceOfB, tenantB, randomUUID()],
    );
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await closeAdmin();
  });

  it('shield denies a foreign entity even when the database layer hands it over', async () => {
    const bypassingRls = await serve('worker');
    const answer = await fetchEntity(bypassingRls, tenantA, evidenceOfB);
    expect(answer.body.data._entities).toEqual([null]);
    expect(answer.body.errors).toEqual([expect.objectContaining({ extensions: { code: 'FORBIDDEN' } })]);
    expect(JSON.stringify(answer.body)).not.toContain('Board minutes of B');
  });

  it('the same entity is served to its own tenant', async () => {
    const server = servers[0] ?? (await serve('worker'));
    const answer = await fetchEntity(server, tenantB, evidenceOfB);
    expect(answer.body).toEqual({ data: { _entities: [{ id: evidenceOfB, title: 'Board minutes of B' }] } });
  });

  it('with row-level security in place, a foreign id reads exactly like a missing one', async () => {
    const server = await serve('app');
    const foreign = await fetchEntity(server, tenantA, evidenceOfB);
    const missing = await fetchEntity(server, tenantA, randomUUID());
    expect(foreign.body).toEqual({ data: { _entities: [null] } });
    expect(foreign.body).toEqual(missing.body);
  });

  it('refuses _entities to a caller without the router secret', async () => {
    const server = servers[0];
    const answer = await postGraphql(
      `${server.url}/graphql`,
      { query: ENTITIES, variables: { reps: [{ __typename: 'Evidence', id: evidenceOfB }] } },
      bearer(await mintToken(principal(tenantB, 'OWNER'))),
    );
    expect(answer.status).toBe(403);
    expect(answer.body.data).toBeUndefined();
  });
});
