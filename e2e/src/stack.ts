import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { subgraphUrlEnv } from '@compliance-graph/config';
import { SUBGRAPH_DATABASES } from '@compliance-graph/start';
import { SUPERGRAPH, startGatewayOfKind, startStack as startWholeStack, type GatewayKind, type Stack } from '@compliance-graph/stack';
import { TEST_ENCRYPTION_KEY, TEST_WEBHOOK_SECRET_KEY, migrateForTests, testKeys, testLoginUrls } from '@compliance-graph/testing';

export { GATEWAY_KINDS, SUPERGRAPH, type GatewayKind, type RunningGatewayOfKind, type Stack } from '@compliance-graph/stack';
export const SERVICES = SUBGRAPH_DATABASES;

export const ROUTER_SECRET = 'e2e-router-secret-0123456789abcdefghij';
/** The credential services' outbox relays present to the audit service. */
export const INTERNAL_SERVICE_TOKEN = 'e2e-internal-service-token-0123456789abcdef';

export async function migrateAll(): Promise<void> {
  for (const service of SERVICES) await migrateForTests(service);
}

/**
 * The whole stack on the test database with the test keys and fixed secrets the specs share,
 * behind a gateway of `gatewayKind` (ours executing the subgraphs in its process if `inProcessSubgraphs`).
 */
export async function startStack(
  overrides: Record<string, string> = {},
  gatewayOverrides: Record<string, string> = {},
  gatewayKind: GatewayKind = 'apollo',
  { inProcessSubgraphs = false } = {},
): Promise<Stack> {
  await migrateAll();
  return startWholeStack({
    databaseLogins: testLoginUrls,
    env: {
      NODE_ENV: 'test',
      LOG_LEVEL: 'error',
      DATABASE_POOL_SIZE: '4',
      ROUTER_SECRET,
      ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      WEBHOOK_SECRET_KEY: TEST_WEBHOOK_SECRET_KEY,
      INTERNAL_SERVICE_TOKEN,
      // Specs sign up many tenants and fail many logins from one address (without
      // TRUSTED_PROXIES every client is 127.0.0.1: the isolation matrix alone fails dozens), and
      // the counters outlive a run; the throttle's own specs set low limits.
      SIGNUP_THROTTLE_ADDRESS_LIMIT: '100000',
      LOGIN_THROTTLE_ADDRESS_LIMIT: '100000',
      // Uploaded files of a run go to a directory of its own, not the repository's .data.
      EVIDENCE_BLOB_DIR: mkdtempSync(join(tmpdir(), 'cg-e2e-blobs-')),
      // Every spec's stack shares the database: only the specs about the change scheduler run one
      // (they set an interval), so no other stack makes their changes effective behind their back.
      CHANGE_SCHEDULER_INTERVAL_MS: '0',
      ...overrides,
    },
    signingKeysJson: (await testKeys()).signingKeysJson,
    identity: { OUTBOX_POLL_INTERVAL_MS: '100' },
    evidence: { OUTBOX_POLL_INTERVAL_MS: '100' },
    subprocessors: { OUTBOX_POLL_INTERVAL_MS: '100' },
    gateway: gatewayOverrides,
    gatewayKind,
    inProcessSubgraphs,
  });
}

/** A second gateway on the stack's subgraphs, configured differently, of the stack's kind unless `kind` says. */
export const startAnotherGateway = (stack: Stack, overrides: Record<string, string>, kind: GatewayKind = stack.gatewayKind) =>
  startGatewayOfKind(kind, {
    PORT: '0',
    LOG_LEVEL: 'error',
    ROUTER_SECRET,
    ...subgraphUrlEnv(stack.subgraphUrls),
    SUPERGRAPH_PATH: SUPERGRAPH,
    ...overrides,
  });
