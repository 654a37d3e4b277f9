import { UserReference, buildFederatedSchema, type ResolverInstances } from '@compliance-graph/federation';
import { AccessReviewReportEntity } from './access-review/access-review-report.entity';
import { accessReviewReference } from './access-review/access-review.reference';
import { AccessReviewResolver } from './access-review/access-review.resolver';
import { DecisionEntity } from './decision/decision.entity';
import { DecisionResolver } from './decision/decision.resolver';
import { EvidenceEntity } from './evidence/evidence.entity';
import { evidenceReference } from './evidence/evidence.reference';
import { EvidenceResolver } from './evidence/evidence.resolver';
import { evidenceRules } from './permissions';
import { ProofpackEntity } from './proofpack/proofpack.entity';
import { proofpackReference } from './proofpack/proofpack.reference';
import { ProofpackResolver } from './proofpack/proofpack.resolver';
import { ProofpackSigningKey } from './proofpack/proofpack-signer';
import { RevisionEntity } from './revision/revision.entity';
import { RevisionResolver } from './revision/revision.resolver';
import { EVIDENCE_INPUT_LIMITS } from './validation';

const evidenceResolvers = [EvidenceResolver, RevisionResolver, DecisionResolver, ProofpackResolver, AccessReviewResolver] as const;

/** Without instances (composition, rule coverage) the resolvers are never run. */
export function buildEvidenceSchema(instances?: ResolverInstances<typeof evidenceResolvers>) {
  return buildFederatedSchema({
    resolvers: evidenceResolvers,
    orphanedTypes: [EvidenceEntity, RevisionEntity, DecisionEntity, ProofpackEntity, ProofpackSigningKey, AccessReviewReportEntity, UserReference],
    references: { ...evidenceReference, ...proofpackReference, ...accessReviewReference },
    rules: evidenceRules,
    inputLimits: EVIDENCE_INPUT_LIMITS,
    instances,
  });
}
