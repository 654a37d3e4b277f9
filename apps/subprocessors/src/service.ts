import { remoteKeySet } from '@compliance-graph/auth';
import { auditIngestConsumer } from '@compliance-graph/outbox';
import { startSubgraphService } from '@compliance-graph/runtime';
import type { SubprocessorsConfig } from './config';
import { subprocessorsEntities } from './entities';
import { createSubprocessorsLoaders } from './loaders';
import { buildSubprocessorsSchema } from './schema';
import { SubprocessorResolver } from './subprocessor/subprocessor.resolver';
import { SubprocessorService } from './subprocessor/subprocessor.service';

export const SUBPROCESSORS_SCHEMA = 'subprocessors';

export async function startSubprocessorsService(config: SubprocessorsConfig) {
  return startSubgraphService(config, {
    service: 'subprocessors',
    databaseSchema: SUBPROCESSORS_SCHEMA,
    entities: subprocessorsEntities,
    tokenKeys: remoteKeySet(config.IDENTITY_JWKS_URL),
    // Register events (SUBPROCESSOR_EVENT_TOPIC) wait in the outbox for the webhook fan-out; the
    // relay delivers only the topics it has consumers for, so they neither fail nor spin it.
    outbox:
      config.OUTBOX_RELAY === 'on'
        ? { consumers: [auditIngestConsumer(config.AUDIT_URL, config.INTERNAL_SERVICE_TOKEN)], pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS }
        : undefined,
    wire: async (db) => ({
      schema: await buildSubprocessorsSchema([new SubprocessorResolver(new SubprocessorService(db))]),
      createLoaders: (principal) => createSubprocessorsLoaders(db, principal),
    }),
  });
}
