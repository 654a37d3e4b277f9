import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '@compliance-graph/federation';
import { TenantEntity } from '../tenant/tenant.entity';
import { UserEntity } from '../user/user.entity';
import type { IdentityLoaders } from '../loaders';
import { MembershipConnection } from './membership.connection';
import { MembershipEntity } from './membership.entity';
import type { MembershipService } from './membership.service';

@Resolver(() => MembershipEntity)
export class MembershipResolver {
  constructor(private readonly memberships: MembershipService) {}

  @Query(() => MembershipConnection)
  members(
    @Arg('includeRevoked', () => Boolean, { defaultValue: false }) includeRevoked: boolean,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: RequestContext<IdentityLoaders>,
  ): Promise<MembershipConnection> {
    return this.memberships.list(ctx.principal!, { includeRevoked, first, after });
  }

  @FieldResolver(() => UserEntity)
  user(@Root() membership: MembershipEntity, @Ctx() ctx: RequestContext<IdentityLoaders>) {
    return ctx.loaders.users.load(membership.userId);
  }

  @FieldResolver(() => TenantEntity)
  tenant(@Root() membership: MembershipEntity, @Ctx() ctx: RequestContext<IdentityLoaders>) {
    return ctx.loaders.tenants.load(membership.tenantId);
  }
}
