import { STAFF, belongsToCallerTenant, hasRole, isAuthenticated, type RuleTree } from '@compliance-graph/auth';

/** The rule tree of the evidence subgraph: one entry per root field and per type. */
export const evidenceRules: RuleTree = {
  Query: {
    evidence: hasRole(...STAFF),
  },
  Evidence: belongsToCallerTenant,
  User: isAuthenticated,
};
