import { belongsToCallerTenant, isAuthenticated, type RuleTree } from '@compliance-graph/auth';

/** The rule tree of the subprocessors subgraph: one entry per root field and per type. */
export const subprocessorsRules: RuleTree = {
  Query: {
    // Every role in the tenant, PARTNER included: partners read the register they may object to.
    subprocessors: isAuthenticated,
    subprocessor: isAuthenticated,
  },
  Subprocessor: belongsToCallerTenant,
};
