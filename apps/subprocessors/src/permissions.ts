import { MANAGERS, belongsToCallerTenant, hasRole, isAuthenticated, type RuleTree } from '@compliance-graph/auth';

/** The rule tree of the subprocessors subgraph: one entry per root field and per type. */
export const subprocessorsRules: RuleTree = {
  Query: {
    // Every role in the tenant, PARTNER included: partners read the register they may object to.
    subprocessors: isAuthenticated,
    subprocessor: isAuthenticated,
    subprocessorChanges: isAuthenticated,
  },
  Mutation: {
    announceSubprocessorChange: hasRole(...MANAGERS),
    cancelSubprocessorChange: hasRole(...MANAGERS),
    objectToSubprocessorChange: hasRole('PARTNER'),
  },
  Subprocessor: belongsToCallerTenant,
  SubprocessorChange: belongsToCallerTenant,
  // Which objections a caller sees is the objections loader's: all for staff, its own for a partner.
  SubprocessorObjection: belongsToCallerTenant,
};
