import { EDITORS, READERS, STAFF, allow, belongsToCallerTenant, chain, hasRole, isAuthenticated, type Role, type RuleTree } from '@compliance-graph/auth';

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
  // The contract's readers of access reviews read their report through the review; the Evidence
  // type's own rule still applies to it. Staff who are not readers find the report in evidenceList.
  AccessReview: { '*': belongsToCallerTenant, evidence: chain(belongsToCallerTenant, hasRole(...READERS)) },
  EvidenceConnection: allow,
  PageInfo: allow,
  User: isAuthenticated,
};
