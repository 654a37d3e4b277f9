import { createAccessTokenVerifier, remoteKeySet } from '@compliance-graph/auth';
import { createLogger } from '@compliance-graph/config';
import { createDataSource } from '@compliance-graph/db';
import { resolverContainer, startSubgraphServer } from '@compliance-graph/federation';
import type { SubprocessorsConfig } from './config';
import { subprocessorsEntities } from './entities';
import { createSubprocessorsLoaders } from './loaders';
import { buildSubprocessorsSchema } from './schema';
import { SubprocessorResolver } from './subprocessor/subprocessor.resolver';
import { SubprocessorService } from './subprocessor/subprocessor.service';

export const SUBPROCESSORS_SCHEMA = 'subprocessors';

/** Starts the subprocessors subgraph with its database pool; `stop()` drains and closes both. */
export async function startSubprocessorsService(config: SubprocessorsConfig) {
  const logger = createLogger('subprocessors', config.LOG_LEVEL);
  const db = createDataSource({
    databaseUrl: config.DATABASE_URL,
    schema: SUBPROCESSORS_SCHEMA,
    role: 'app',
    entities: subprocessorsEntities,
    poolSize: config.DATABASE_POOL_SIZE,
  });
  await db.initialize();
  const resolvers = resolverContainer([new SubprocessorResolver(new SubprocessorService(db))]);
  return startSubgraphServer({
    service: 'subprocessors',
    schema: await buildSubprocessorsSchema(resolvers),
    host: config.HOST,
    port: config.PORT,
    routerSecret: config.ROUTER_SECRET,
    verifyAccessToken: createAccessTokenVerifier(remoteKeySet(config.IDENTITY_JWKS_URL), {
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
    }),
    logger,
    production: config.NODE_ENV === 'production',
    checkReadiness: async () => void (await db.query('SELECT 1')),
    createLoaders: (principal) => createSubprocessorsLoaders(db, principal),
    onStop: () => db.destroy(),
  });
}
