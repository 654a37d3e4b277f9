import { remoteKeySet } from '@compliance-graph/auth';
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
    wire: async (db) => ({
      schema: await buildSubprocessorsSchema([new SubprocessorResolver(new SubprocessorService(db))]),
      createLoaders: (principal) => createSubprocessorsLoaders(db, principal),
    }),
  });
}
