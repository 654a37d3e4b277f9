import { remoteKeySet } from '@compliance-graph/auth';
import { auditIngestConsumer } from '@compliance-graph/outbox';
import { startPeriodicWork, startSubgraphService } from '@compliance-graph/runtime';
import { ChangeResolver } from './change/change.resolver';
import { makeDueChangesEffective } from './change/change-scheduler';
import { ChangeService } from './change/change.service';
import { systemClock, type Clock } from './clock';
import type { SubprocessorsConfig } from './config';
import { subprocessorsEntities } from './entities';
import { IdentityDirectory } from './identity-directory/identity-directory';
import { createSubprocessorsLoaders } from './loaders';
import { ChangeNoticeResolver, NoticeResolver } from './notice/notice.resolver';
import { ObjectionResolver } from './objection/objection.resolver';
import { ObjectionService } from './objection/objection.service';
import { mountPublicPage } from './public-page/public-page.route';
import { PublicPageService } from './public-page/public-page.service';
import { RegisterService } from './register/register.service';
import { buildSubprocessorsSchema } from './schema';
import { SubprocessorResolver } from './subprocessor/subprocessor.resolver';
import { systemResolver, type ResolveHost } from './webhook/webhook-address';
import { createWebhookClient } from './webhook/webhook-client';
import { WebhookDeliveryService } from './webhook/webhook-delivery.service';
import { WebhookResolver } from './webhook/webhook.resolver';
import { WebhookService } from './webhook/webhook.service';

export const SUBPROCESSORS_SCHEMA = 'subprocessors';

/** What tests may swap: the service's time (the register's rules at their boundaries) and the DNS resolver behind webhook URL checks and deliveries. */
export interface SubprocessorsDependencies {
  clock?: Clock;
  resolveHost?: ResolveHost;
}

/** Starts the subprocessors subgraph, its scheduler, its webhook deliveries and its outbox relay. */
export async function startSubprocessorsService(config: SubprocessorsConfig, dependencies: SubprocessorsDependencies = {}) {
  const clock = dependencies.clock ?? systemClock;
  const directory = new IdentityDirectory({ url: config.IDENTITY_URL, credential: config.IDENTITY_DIRECTORY_TOKEN });
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
      const scheduler = await startPeriodicWork(
        {
          name: 'change-scheduler',
          databaseWorkerUrl: config.DATABASE_WORKER_URL,
          schema: SUBPROCESSORS_SCHEMA,
          intervalMs: config.CHANGE_SCHEDULER_INTERVAL_MS,
          runAtStart: true,
          entities: subprocessorsEntities,
          logger,
        },
        async (workerDb, workLogger) => {
          const made = await makeDueChangesEffective(workerDb, directory, clock, workLogger);
          if (made > 0) workLogger.info({ made }, 'announced subprocessor changes made effective');
        },
      );
      deliveries = new WebhookDeliveryService(db, {
        secretKey: config.WEBHOOK_SECRET_KEY,
        client,
        retryWindowMs: config.WEBHOOK_RETRY_WINDOW_SECONDS * 1000,
        owners: directory,
        logger: logger.child({ component: 'webhooks' }),
      });
      // The public page reads the same service (publicRegister) without a principal.
      const register = new RegisterService(db, clock);
      return {
        schema: await buildSubprocessorsSchema([
          new SubprocessorResolver(register),
          new ChangeResolver(new ChangeService(db, directory, clock)),
          new ObjectionResolver(new ObjectionService(db, directory, clock)),
          new WebhookResolver(new WebhookService(db, config.WEBHOOK_SECRET_KEY, addresses)),
          new ChangeNoticeResolver(),
          new NoticeResolver(),
        ]),
        createLoaders: (principal) => createSubprocessorsLoaders(db, principal, clock, directory),
        routes: (app) =>
          mountPublicPage(app, { pages: new PublicPageService(db, directory, register, clock), publicOrigin: config.PUBLIC_ORIGIN, logger }),
        onStop: async () => {
          await scheduler.stop();
          client.close();
        },
      };
    },
  });
}
