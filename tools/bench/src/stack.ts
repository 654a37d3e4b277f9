// The app packages declare decorated classes, which need this first.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { generateSigningKey } from '@compliance-graph/auth';
import { migrateServiceSchema } from '@compliance-graph/db';
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

// The same start-up as e2e/src/stack.ts, which is a test suite rather than a library; the two
// could become one shared helper (a packages/ library both import).

export const SERVICES = [
  { schema: IDENTITY_SCHEMA, migrations: identityMigrations },
  { schema: EVIDENCE_SCHEMA, migrations: evidenceMigrations },
  { schema: AUDIT_SCHEMA, migrations: auditMigrations },
  { schema: SUBPROCESSORS_SCHEMA, migrations: subprocessorsMigrations },
];

/** tools/bench/dist -> the committed supergraph at the repository root. */
const SUPERGRAPH = resolve(__dirname, '../../../supergraph.graphql');

export interface StackOptions {
  databaseUrl: string;
  /** Added to every service's environment (DATABASE_POOL_SIZE, LOG_LEVEL, ...). */
  common?: Record<string, string>;
  /** Added to identity's environment only (throttle limits, ...). */
  identity?: Record<string, string>;
}

export interface BenchStack {
  gatewayUrl: string;
  subgraphUrls: Record<string, string>;
  /** Stops the gateway, then the subgraphs; safe to call more than once. */
  stop(): Promise<void>;
}

export async function migrateAll(databaseUrl: string): Promise<void> {
  for (const service of SERVICES) await migrateServiceSchema(databaseUrl, service);
}

const signingKeysJson = async () => JSON.stringify([await generateSigningKey()]);

/**
 * The whole platform in this process on ephemeral ports, talking real HTTP: the four subgraphs
 * with fresh random secrets, then the gateway on the committed supergraph.graphql. Whatever
 * started before a failure is stopped again before the error is rethrown.
 */
export async function startStack(options: StackOptions): Promise<BenchStack> {
  await migrateAll(options.databaseUrl);
  const common = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'error',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: options.databaseUrl,
    ROUTER_SECRET: randomBytes(32).toString('base64url'),
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    INTERNAL_SERVICE_TOKEN: randomBytes(32).toString('base64url'),
    ...options.common,
  };
  const subgraphs: Array<{ stop(): Promise<void> }> = [];
  let gateway: { stop(): Promise<void> } | undefined;
  const stopAll = async () => {
    // The gateway first (clients stop reaching anything), then the subgraphs together.
    const stopping = gateway;
    gateway = undefined;
    await stopping?.stop();
    const outcomes = await Promise.allSettled(subgraphs.splice(0).map((service) => service.stop()));
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
  };
  try {
    const identity = await startIdentityService(
      loadIdentityConfig({ ...common, ...options.identity, JWT_SIGNING_KEYS: await signingKeysJson() }),
    );
    subgraphs.push(identity);
    const withJwks = { ...common, IDENTITY_JWKS_URL: `${identity.url}/.well-known/jwks.json` };
    const started = await Promise.allSettled([
      startEvidenceService(loadEvidenceConfig(withJwks)),
      startAuditService(loadAuditConfig({ ...withJwks, AUDIT_SIGNING_KEYS: await signingKeysJson() })),
      startSubprocessorsService(loadSubprocessorsConfig(withJwks)),
    ]);
    for (const outcome of started) if (outcome.status === 'fulfilled') subgraphs.push(outcome.value);
    const failed = started.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
    const [evidence, audit, subprocessors] = started.map((o) => (o as PromiseFulfilledResult<{ url: string }>).value);
    const subgraphUrls = { identity: identity.url, evidence: evidence.url, audit: audit.url, subprocessors: subprocessors.url };
    const runningGateway = await startGateway(
      loadGatewayConfig({
        ...common,
        IDENTITY_URL: identity.url,
        EVIDENCE_URL: evidence.url,
        AUDIT_URL: audit.url,
        SUBPROCESSORS_URL: subprocessors.url,
        SUPERGRAPH_PATH: SUPERGRAPH,
      }),
    );
    gateway = runningGateway;
    return { gatewayUrl: runningGateway.url, subgraphUrls, stop: stopAll };
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw error;
  }
}
