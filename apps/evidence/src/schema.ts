import { UserReference, buildFederatedSchema } from '@compliance-graph/federation';
import { EvidenceEntity } from './evidence/evidence.entity';
import { EvidenceResolver } from './evidence/evidence.resolver';
import { evidenceReference } from './evidence/evidence.reference';
import { evidenceRules } from './permissions';

const evidenceResolvers = [EvidenceResolver] as const;

export function buildEvidenceSchema() {
  return buildFederatedSchema({
    resolvers: evidenceResolvers,
    orphanedTypes: [EvidenceEntity, UserReference],
    references: evidenceReference,
    rules: evidenceRules,
  });
}
