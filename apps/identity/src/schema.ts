import { buildFederatedSchema, type ResolverInstances } from '@compliance-graph/federation';
import { AccessReviewItemResolver, AccessReviewResolver } from './access-review/access-review.resolver';
import { accessReviewReference } from './access-review/access-review.reference';
import { AccessReviewScheduleResolver } from './access-review/access-review-schedule.resolver';
import { ApiKeyResolver } from './api-key/api-key.resolver';
import { apiKeyReference } from './api-key/api-key.reference';
import { identityGraphEntities } from './entities';
import { identityRules } from './permissions';
import { InvitationResolver } from './invitation/invitation.resolver';
import { MembershipResolver } from './membership/membership.resolver';
import { membershipReference } from './membership/membership.reference';
import { MfaResolver } from './mfa/mfa.resolver';
import { SessionResolver } from './session/session.resolver';
import { SupportResolver } from './support/support.resolver';
import { TenantResolver } from './tenant/tenant.resolver';
import { tenantReference } from './tenant/tenant.reference';
import { UserResolver } from './user/user.resolver';
import { INPUT_LIMITS } from './validation';
import { userReference } from './user/user.reference';
import { ViewerResolver } from './viewer/viewer.resolver';

const identityResolvers = [
  ViewerResolver,
  TenantResolver,
  UserResolver,
  MembershipResolver,
  SessionResolver,
  MfaResolver,
  InvitationResolver,
  ApiKeyResolver,
  SupportResolver,
  AccessReviewResolver,
  AccessReviewItemResolver,
  AccessReviewScheduleResolver,
] as const;

/** Without instances (composition, rule coverage) the resolvers are never run. */
export async function buildIdentitySchema(instances?: ResolverInstances<typeof identityResolvers>) {
  return buildFederatedSchema({
    resolvers: identityResolvers,
    orphanedTypes: identityGraphEntities,
    references: { ...tenantReference, ...userReference, ...membershipReference, ...apiKeyReference, ...accessReviewReference },
    rules: identityRules,
    inputLimits: INPUT_LIMITS,
    instances,
  });
}
