import 'reflect-metadata';
import { resolve } from 'node:path';
import { IDENTITY_SCHEMA, identityMigrations, loadIdentityConfig, startIdentityService } from '@compliance-graph/identity';
import { EVIDENCE_SCHEMA, evidenceMigrations, loadEvidenceConfig, startEvidenceService } from '@compliance-graph/evidence';
import { AUDIT_SCHEMA, auditMigrations, loadAuditConfig, startAuditService } from '@compliance-graph/audit';
import {
  SUBPROCESSORS_SCHEMA,
  loadSubprocessorsConfig,
  startSubprocessorsService,
  subprocessorsMigrations,
} from '@compliance-graph/subprocessors';
import { loadGatewayConfig, startGateway } from '@compliance-graph/gateway';
import { TEST_ENCRYPTION_KEY, freePort, migrateForTests, testDatabaseUrl, testKeys } from '@compliance-graph/testing';

export const SERVICES = [
  { schema: IDENTITY_SCHEMA, migrations: identityMigrations },
  { schema: EVIDENCE_SCHEMA, migrations: evidenceMigrations },
  { schema: AUDIT_SCHEMA, migrations: auditMigrations },
  { schema: SUBPROCESSORS_SCHEMA, migrations: subprocessorsMigrations },
];

export const ROUTER_SECRET = 'e2e-router-secret-0123456789abcdefghij';
/** The credential services' outbox relays present to the audit service. */
export const INTERNAL_SERVICE_TOKEN = 'e2e-internal-service-token-0123456789abcdef';
export const SUPERGRAPH = resolve(__dirname, '../../supergraph.graphql');

export async function migrateAll(): Promise<void> {
  for (const service of SERVICES) await migrateForTests(service);
}

export interface Stack {
  gatewayUrl: string;
  subgraphUrls: Record<string, string>;
  /** Stops the audit service alone (producers keep working; their outboxes fill). */
  stopAudit(): Promise<void>;
  /** Starts it again on the same address. */
  startAudit(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The whole platform in this process on ephemeral ports, talking real HTTP: four subgraphs
 * on the test database, then the gateway on the committed supergraph.graphql.
 */
export async function startStack(overrides: Record<string, string> = {}, gatewayOverrides: Record<string, string> = {}): Promise<Stack> {
  await migrateAll();
  const keys = await testKeys();
  const common = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'error',
    PORT: '0',
    DATABASE_URL: testDatabaseUrl(),
    DATABASE_POOL_SIZE: '4',
    ROUTER_SECRET,
    ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    INTERNAL_SERVICE_TOKEN,
    ...overrides,
  };
  // Identity delivers its audit events to the audit service, which verifies tokens with
  // identity's keys: the audit address is fixed before either starts.
  const auditUrl = `http://127.0.0.1:${await freePort()}`;
  const identity = await startIdentityService(
    loadIdentityConfig({ JWT_SIGNING_KEYS: keys.signingKeysJson, AUDIT_URL: auditUrl, OUTBOX_POLL_INTERVAL_MS: '100', ...common }),
  );
  const withJwks = { ...common, IDENTITY_JWKS_URL: `${identity.url}/.well-known/jwks.json` };
  const startAudit = () =>
    startAuditService(loadAuditConfig({ ...withJwks, PORT: new URL(auditUrl).port, AUDIT_SIGNING_KEYS: keys.signingKeysJson }));
  let audit: { stop(): Promise<void> } | undefined = await startAudit();
  const [evidence, subprocessors] = await Promise.all([
    startEvidenceService(loadEvidenceConfig(withJwks)),
    startSubprocessorsService(loadSubprocessorsConfig(withJwks)),
  ]);
  const subgraphUrls = { identity: identity.url, evidence: evidence.url, audit: auditUrl, subprocessors: subprocessors.url };
  const gateway = await startGateway(
    loadGatewayConfig({
      ...common,
      ...gatewayOverrides,
      IDENTITY_URL: identity.url,
      EVIDENCE_URL: evidence.url,
      AUDIT_URL: auditUrl,
      SUBPROCESSORS_URL: subprocessors.url,
      SUPERGRAPH_PATH: SUPERGRAPH,
    }),
  );
  return {
    gatewayUrl: gateway.url,
    subgraphUrls,
    async stopAudit() {
      await audit?.stop();
      audit = undefined;
    },
    async startAudit() {
      audit ??= await startAudit();
    },
    async stop() {
      await gateway.stop();
      await Promise.all([identity, evidence, subprocessors].map((s) => s.stop()));
      await audit?.stop();
    },
  };
}
