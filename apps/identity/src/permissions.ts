import {
  ADMINS,
  READERS,
  STAFF,
  allow,
  belongsToCallerTenant,
  chain,
  guard,
  hasRole,
  isAuthenticated,
  isUserItself,
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

/** A support session may end itself: its one permitted change. */
const endsItsOwnSupportSession = guard(
  'endsItsOwnSupportSession',
  (_p, args, ctx) => ctx.principal?.kind === 'SUPPORT' && args.id === ctx.principal.sessionId,
  'strict',
);

/**
 * The rule tree of the identity subgraph: one entry per root field and per type, as the
 * contract README's table says. Shield denies anything not named here.
 */
export const identityRules: RuleTree = {
  Query: {
    viewer: isAuthenticated,
    tenant: isAuthenticated,
    members: hasRole(...STAFF),
    user: hasRole(...STAFF),
    invitations: hasRole(...ADMINS),
    apiKeys: hasRole(...READERS),
    supportSessions: hasRole(...READERS),
    accessReviews: hasRole(...READERS),
    accessReview: hasRole(...READERS),
    accessReviewSchedule: hasRole(...READERS),
  },
  Mutation: {
    signUp: allow,
    login: allow,
    refreshSession: allow,
    logout: allow,
    switchTenant: isUserItself,
    changePassword: isUserItself,
    startTotpEnrollment: isUserItself,
    confirmTotpEnrollment: isUserItself,
    regenerateRecoveryCodes: isUserItself,
    updateTenantSettings: hasRole(...ADMINS),
    resetMemberMfa: hasRole(...ADMINS),
    acceptInvitation: allow,
    inviteMember: hasRole(...ADMINS),
    revokeInvitation: hasRole(...ADMINS),
    changeMemberRole: hasRole(...ADMINS),
    revokeMembership: hasRole(...ADMINS),
    createApiKey: hasRole(...ADMINS),
    revokeApiKey: hasRole(...ADMINS),
    openSupportSession: isUserItself,
    endSupportSession: or(endsItsOwnSupportSession, chain(isUserItself, hasRole(...ADMINS))),
    startAccessReview: hasRole(...ADMINS),
    decideAccessReviewItem: hasRole(...ADMINS),
    completeAccessReview: hasRole(...ADMINS),
    cancelAccessReview: hasRole(...ADMINS),
    setAccessReviewSchedule: hasRole(...ADMINS),
    clearAccessReviewSchedule: hasRole(...ADMINS),
  },
  Viewer: allow,
  AuthPayload: allow,
  TotpEnrollment: allow,
  TotpActivation: allow,
  MembershipConnection: allow,
  CreatedInvitation: allow,
  Invitation: belongsToCallerTenant,
  CreatedApiKey: allow,
  ApiKey: belongsToCallerTenant,
  SupportSession: belongsToCallerTenant,
  PageInfo: allow,
  Tenant: belongsToCallerTenant,
  User: {
    '*': isAuthenticated,
    email: isSelfOr(STAFF),
    mfaEnabled: isSelfOr(READERS),
    lastLoginAt: isSelfOr(READERS),
  },
  Membership: belongsToCallerTenant,
  AccessReview: belongsToCallerTenant,
  AccessReviewItem: belongsToCallerTenant,
  AccessReviewItemConnection: allow,
  AccessReviewSummary: allow,
  AccessReviewSignal: allow,
  AccessReviewSchedule: belongsToCallerTenant,
};
