import { allow, isAuthenticated, type RuleTree } from '@compliance-graph/auth';

/** The rule tree of the audit subgraph: one entry per root field and per type. */
export const auditRules: RuleTree = {
  Query: {
    auditPublicKeys: isAuthenticated,
  },
  AuditPublicKey: allow,
};
