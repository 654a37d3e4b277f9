import {
  READERS,
  STAFF,
  allow,
  belongsToCallerTenant,
  guard,
  hasRole,
  isAuthenticated,
  or,
  type Role,
  type RuleTree,
} from '@compliance-graph/auth';

/** The field is about the caller itself, or the caller holds one of `roles` in the tenant. */
const isSelfOr = (roles: readonly Role[]) =>
  or(
    guard('isSelf', (user: { id: string }, _a, ctx) => ctx.principal?.kind !== 'API_KEY' && user.id === ctx.principal?.subjectId, 'no_cache'),
    hasRole(...roles),
  );

/** The rule tree of the identity subgraph: one entry per root field and per type. */
export const identityRules: RuleTree = {
  Query: {
    viewer: isAuthenticated,
    tenant: isAuthenticated,
    user: hasRole(...STAFF),
  },
  Viewer: allow,
  Tenant: belongsToCallerTenant,
  User: {
    '*': isAuthenticated,
    email: isSelfOr(STAFF),
    mfaEnabled: isSelfOr(READERS),
    lastLoginAt: isSelfOr(READERS),
  },
  Membership: belongsToCallerTenant,
};
