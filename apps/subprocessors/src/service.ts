import { remoteKeySet } from '@compliance-graph/auth';
import { auditIngestConsumer } from '@compliance-graph/outbox';
import { startSubgraphService } from '@compliance-graph/runtime';
import { ChangeResolver } from './change/change.resolver';
import { startChangeScheduler } from './change/change-scheduler';
import { ChangeService } from './change/change.service';
import { systemClock, type Clock } from './clock';
import type { SubprocessorsConfig } from './config';
import { subprocessorsEntities } from './entities';
import { IdentityDirectory } from './identity-directory/identity-directory';
import { createSubprocessorsLoaders } from './loaders';
import { ObjectionResolver } from './objection/objection.resolver';
import { ObjectionService } from './objection/objection.service';
import { mountPublicPage } from './public-page/public-page.route';
import { PublicPageService } from './public-page/public-page.service';
import { RegisterService } from './register/register.service';
import { buildSubprocessorsSchema } from './schema';
import { SubprocessorResolver } from './subprocessor/subprocessor.resolver';

export const SUBPROCESSORS_SCHEMA = 'subprocessors';

/** Starts the subprocessors subgraph, its scheduler and its outbox relay; `clock` is the service's time (tests move it). */
export async function startSubprocessorsService(config: SubprocessorsConfig, clock: Clock = systemClock) {
  const directory = new IdentityDirectory({ url: config.IDENTITY_URL, credential: config.IDENTITY_DIRECTORY_TOKEN });
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
    wire: async (db, { logger }) => {
      const scheduler = await startChangeScheduler(
        { databaseWorkerUrl: config.DATABASE_WORKER_URL, schema: SUBPROCESSORS_SCHEMA, intervalMs: config.CHANGE_SCHEDULER_INTERVAL_MS },
        directory,
        clock,
        logger.child({ component: 'change-scheduler' }),
      );
      // The public page reads the same service (publicRegister) without a principal.
      const register = new RegisterService(db, clock);
      return {
        schema: await buildSubprocessorsSchema([
          new SubprocessorResolver(register),
          new ChangeResolver(new ChangeService(db, directory, clock)),
          new ObjectionResolver(new ObjectionService(db, directory, clock)),
        ]),
        createLoaders: (principal) => createSubprocessorsLoaders(db, principal, clock),
        routes: (app) =>
          mountPublicPage(app, { pages: new PublicPageService(db, directory, register, clock), publicOrigin: config.PUBLIC_ORIGIN, logger }),
        onStop: () => scheduler.stop(),
      };
    },
  });
}
