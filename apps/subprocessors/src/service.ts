import { remoteKeySet } from '@compliance-graph/auth';
import { auditIngestConsumer } from '@compliance-graph/outbox';
import { startSubgraphService } from '@compliance-graph/runtime';
import type { SubprocessorsConfig } from './config';
import { subprocessorsEntities } from './entities';
import { createSubprocessorsLoaders } from './loaders';
import { buildSubprocessorsSchema } from './schema';
import { SubprocessorResolver } from './subprocessor/subprocessor.resolver';
import { IdentityDirectory } from './identity-directory/identity-directory';
import { SubprocessorService } from './subprocessor/subprocessor.service';
import { systemResolver, type ResolveHost } from './webhook/webhook-address';
import { createWebhookClient } from './webhook/webhook-client';
import { WebhookDeliveryService } from './webhook/webhook-delivery.service';
import { WebhookResolver } from './webhook/webhook.resolver';
import { WebhookService } from './webhook/webhook.service';

export const SUBPROCESSORS_SCHEMA = 'subprocessors';

/** What tests may swap: the DNS resolver behind webhook URL checks and deliveries. */
export interface SubprocessorsDependencies {
  resolveHost?: ResolveHost;
}

export async function startSubprocessorsService(config: SubprocessorsConfig, dependencies: SubprocessorsDependencies = {}) {
  const addresses = { production: config.NODE_ENV === 'production', resolve: dependencies.resolveHost ?? systemResolver };
  const client = createWebhookClient({ ...addresses, timeoutMs: config.WEBHOOK_TIMEOUT_MS, maxResponseBytes: config.WEBHOOK_MAX_RESPONSE_BYTES });
  // The relay starts before wire() runs, so its consumers reach the request pool through this.
  let deliveries: WebhookDeliveryService | undefined;
  const webhookConsumers = () => {
    if (!deliveries) throw new Error('webhook deliveries are not wired yet');
    return deliveries;
  };
  return startSubgraphService(config, {
    service: 'subprocessors',
    databaseSchema: SUBPROCESSORS_SCHEMA,
    entities: subprocessorsEntities,
    tokenKeys: remoteKeySet(config.IDENTITY_JWKS_URL),
    outbox:
      config.OUTBOX_RELAY === 'on'
        ? {
            consumers: [
              auditIngestConsumer(config.AUDIT_URL, config.INTERNAL_SERVICE_TOKEN),
              ...WebhookDeliveryService.consumersOf(webhookConsumers, config.WEBHOOK_MAX_BACKOFF_MS),
            ],
            pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS,
          }
        : undefined,
    wire: async (db, { logger }) => {
      deliveries = new WebhookDeliveryService(db, {
        secretKey: config.WEBHOOK_SECRET_KEY,
        client,
        retryWindowMs: config.WEBHOOK_RETRY_WINDOW_SECONDS * 1000,
        owners: new IdentityDirectory({ url: config.IDENTITY_URL, credential: config.IDENTITY_DIRECTORY_TOKEN }),
        logger: logger.child({ component: 'webhooks' }),
      });
      return {
        schema: await buildSubprocessorsSchema([
          new SubprocessorResolver(new SubprocessorService(db)),
          new WebhookResolver(new WebhookService(db, config.WEBHOOK_SECRET_KEY, addresses)),
        ]),
        createLoaders: (principal) => createSubprocessorsLoaders(db, principal),
        onStop: () => client.close(),
      };
    },
  });
}
