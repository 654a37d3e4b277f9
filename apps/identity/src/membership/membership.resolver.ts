import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '@compliance-graph/federation';
import { TenantEntity } from '../tenant/tenant.entity';
import { UserEntity } from '../user/user.entity';
import type { IdentityLoaders } from '../loaders';
import { MembershipEntity } from './membership.entity';

@Resolver(() => MembershipEntity)
export class MembershipResolver {
  @FieldResolver(() => UserEntity)
  user(@Root() membership: MembershipEntity, @Ctx() ctx: RequestContext<IdentityLoaders>) {
    return ctx.loaders.users.load(membership.userId);
  }

  @FieldResolver(() => TenantEntity)
  tenant(@Root() membership: MembershipEntity, @Ctx() ctx: RequestContext<IdentityLoaders>) {
    return ctx.loaders.tenants.load(membership.tenantId);
  }
}
