import { randomUUID } from 'node:crypto';
import type { RunningSubgraph } from '@compliance-graph/runtime';
import { TEST_WEBHOOK_SECRET_KEY, migrateForTests, testDatabaseEnv } from '@compliance-graph/testing';
import { SUBPROCESSORS_SCHEMA, loadSubprocessorsConfig, startSubprocessorsService, subprocessorsMigrations, type SubprocessorsDependencies } from '../src';
import type { SubprocessorEvent, SubprocessorEventType } from '../src/subprocessor-event';

/**
 * The subprocessors service in `nodeEnv` without a relay: nothing is delivered by it (deliveries
 * need identity's directory, which the e2e spec has), and audit and register events wait in the
 * outbox. No identity or audit service listens at the addresses given.
 */
export async function startWithoutRelay(nodeEnv: 'test' | 'production', dependencies?: SubprocessorsDependencies): Promise<RunningSubgraph<unknown>> {
  await migrateForTests({ schema: SUBPROCESSORS_SCHEMA, migrations: subprocessorsMigrations });
  return (await startSubprocessorsService(
    loadSubprocessorsConfig({
      PORT: '0',
      LOG_LEVEL: 'error',
      NODE_ENV: nodeEnv,
      ...testDatabaseEnv(SUBPROCESSORS_SCHEMA),
      ROUTER_SECRET: 'router-secret-for-webhook-tests-0123456789',
      IDENTITY_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
      AUDIT_URL: 'http://127.0.0.1:9',
      INTERNAL_SERVICE_TOKEN: 'internal-service-token-for-webhook-tests-0123',
      IDENTITY_DIRECTORY_TOKEN: 'directory-token-for-webhook-tests-0123456789',
      WEBHOOK_SECRET_KEY: TEST_WEBHOOK_SECRET_KEY,
      OUTBOX_RELAY: 'off',
    }),
    dependencies,
  )) as RunningSubgraph<unknown>;
}

/** A register event as the change service writes it (the webhook body). */
export function registerEvent(type: SubprocessorEventType = 'subprocessor.change_announced', slug = 'acme'): SubprocessorEvent {
  const now = new Date();
  const later = new Date(now.getTime() + 30 * 86400_000).toISOString();
  return {
    id: randomUUID(),
    type,
    occurredAt: now.toISOString(),
    tenant: { slug },
    change: {
      id: randomUUID(),
      kind: 'ADDED',
      status: 'ANNOUNCED',
      announcedAt: now.toISOString(),
      effectiveAt: later,
      objectionDeadline: later,
      before: null,
      after: { name: 'Mailer GmbH', purpose: 'e-mail', locations: ['DE'] },
    },
  };
}
