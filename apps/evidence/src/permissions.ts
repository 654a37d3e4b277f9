import { READERS, STAFF, allow, belongsToCallerTenant, chain, hasRole, isAuthenticated, type Role, type RuleTree } from '@compliance-graph/auth';

/** Who adds and submits evidence (contract README): everyone on staff but AUDITOR, who only reads. */
const CONTRIBUTORS: readonly Role[] = ['OWNER', 'ADMIN', 'COMPLIANCE_MANAGER', 'MEMBER'];
/** Who decides evidence; the service also keeps the item's creator and current uploader out. */
const DECIDERS: readonly Role[] = ['OWNER', 'ADMIN', 'COMPLIANCE_MANAGER'];

/** The rule tree of the evidence subgraph: one entry per root field and per type. */
export const evidenceRules: RuleTree = {
  Query: {
    evidence: hasRole(...STAFF),
    evidenceList: hasRole(...STAFF),
  },
  Mutation: {
    createEvidence: hasRole(...CONTRIBUTORS),
    addEvidenceRevision: hasRole(...CONTRIBUTORS),
    submitEvidence: hasRole(...CONTRIBUTORS),
    decideEvidence: hasRole(...DECIDERS),
  },
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
