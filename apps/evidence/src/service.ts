import { createAccessTokenVerifier, remoteKeySet } from '@compliance-graph/auth';
import { createLogger } from '@compliance-graph/config';
import { createDataSource } from '@compliance-graph/db';
import { startSubgraphServer } from '@compliance-graph/federation';
import type { EvidenceConfig } from './config';
import { EvidenceEntity } from './evidence/evidence.entity';
import { EvidenceService } from './evidence/evidence.service';
import { createEvidenceLoaders } from './loaders';
import { buildEvidenceSchema } from './schema';

export const EVIDENCE_SCHEMA = 'evidence';

export async function startEvidenceService(config: EvidenceConfig) {
  const logger = createLogger('evidence', config.LOG_LEVEL);
  const db = createDataSource({
    databaseUrl: config.DATABASE_URL,
    schema: EVIDENCE_SCHEMA,
    role: 'app',
    entities: [EvidenceEntity],
    poolSize: config.DATABASE_POOL_SIZE,
  });
  await db.initialize();
  const evidence = new EvidenceService(db);
  return startSubgraphServer({
    service: 'evidence',
    schema: await buildEvidenceSchema(),
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
    createLoaders: (principal) => createEvidenceLoaders(evidence, principal),
    onStop: () => db.destroy(),
  });
}
