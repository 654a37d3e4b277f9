import type { ContainerType } from 'type-graphql';
import { buildFederatedSchema } from '@compliance-graph/federation';
import { identityEntities } from './entities';
import { identityRules } from './permissions';
import { TenantResolver } from './tenant/tenant.resolver';
import { tenantReference } from './tenant/tenant.reference';
import { UserResolver } from './user/user.resolver';
import { userReference } from './user/user.reference';
import { MembershipResolver } from './membership/membership.resolver';
import { membershipReference } from './membership/membership.reference';
import { ViewerResolver } from './viewer/viewer.resolver';

export const identityResolvers = [ViewerResolver, TenantResolver, UserResolver, MembershipResolver] as const;

export function buildIdentitySchema(container?: ContainerType) {
  return buildFederatedSchema({
    resolvers: [...identityResolvers],
    orphanedTypes: identityEntities,
    references: { ...tenantReference, ...userReference, ...membershipReference },
    rules: identityRules,
    container,
  });
}
