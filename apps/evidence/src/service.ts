import { remoteKeySet } from '@compliance-graph/auth';
import { startSubgraphService } from '@compliance-graph/runtime';
import type { EvidenceConfig } from './config';
import { EvidenceEntity } from './evidence/evidence.entity';
import { EvidenceService } from './evidence/evidence.service';
import { createEvidenceLoaders } from './loaders';
import { buildEvidenceSchema } from './schema';

export const EVIDENCE_SCHEMA = 'evidence';

export async function startEvidenceService(config: EvidenceConfig) {
  return startSubgraphService(config, {
    service: 'evidence',
    databaseSchema: EVIDENCE_SCHEMA,
    entities: [EvidenceEntity],
    tokenKeys: remoteKeySet(config.IDENTITY_JWKS_URL),
    wire: async (db) => {
      const evidence = new EvidenceService(db);
      return {
        schema: await buildEvidenceSchema(),
        createLoaders: (principal) => createEvidenceLoaders(evidence, principal),
      };
    },
  });
}
