import { EDITORS, STAFF, allow, belongsToCallerTenant, hasRole, isAuthenticated, type Role, type RuleTree } from '@compliance-graph/auth';

/** Who decides evidence and seals proofpacks; the service also keeps an item's creator and current uploader from deciding it. */
const MANAGERS: readonly Role[] = ['OWNER', 'ADMIN', 'COMPLIANCE_MANAGER'];

/** The rule tree of the evidence subgraph: one entry per root field and per type. */
export const evidenceRules: RuleTree = {
  Query: {
    evidence: hasRole(...STAFF),
    evidenceList: hasRole(...STAFF),
    proofpack: hasRole(...STAFF),
    proofpacks: hasRole(...STAFF),
    proofpackSigningKeys: isAuthenticated,
  },
  Mutation: {
    createEvidence: hasRole(...EDITORS),
    addEvidenceRevision: hasRole(...EDITORS),
    submitEvidence: hasRole(...EDITORS),
    decideEvidence: hasRole(...MANAGERS),
    createProofpack: hasRole(...MANAGERS),
    sealProofpack: hasRole(...MANAGERS),
  },
  Proofpack: belongsToCallerTenant,
  ProofpackSigningKey: allow,
  Evidence: belongsToCallerTenant,
  EvidenceRevision: belongsToCallerTenant,
  EvidenceDecision: belongsToCallerTenant,
  EvidenceConnection: allow,
  PageInfo: allow,
  User: isAuthenticated,
};
