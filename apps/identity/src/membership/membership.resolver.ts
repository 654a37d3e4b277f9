import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { callerOf, type Role } from '@compliance-graph/auth';
import type { RequestContext } from '@compliance-graph/federation';
import { TenantEntity } from '../tenant/tenant.entity';
import { UserEntity } from '../user/user.entity';
import type { IdentityLoaders } from '../loaders';
import { MembershipConnection } from './membership.connection';
import { MembershipEntity, RoleEnum } from './membership.entity';
import type { MembershipService } from './membership.service';

@Resolver(() => MembershipEntity)
export class MembershipResolver {
  constructor(private readonly memberships: MembershipService) {}

  @Query(() => MembershipConnection)
  members(
    @Arg('includeRevoked', () => Boolean, { nullable: true, defaultValue: false }) includeRevoked: boolean,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: RequestContext<IdentityLoaders>,
  ): Promise<MembershipConnection> {
    return this.memberships.list(callerOf(ctx), { includeRevoked, first, after });
  }

  @Mutation(() => MembershipEntity, { description: 'OWNER, ADMIN; only OWNER grants OWNER' })
  changeMemberRole(
    @Arg('membershipId', () => ID) membershipId: string,
    @Arg('role', () => RoleEnum) role: Role,
    @Ctx() ctx: RequestContext<IdentityLoaders>,
  ): Promise<MembershipEntity> {
    return this.memberships.changeRole(callerOf(ctx), ctx, membershipId, role);
  }

  @Mutation(() => MembershipEntity)
  revokeMembership(
    @Arg('membershipId', () => ID) membershipId: string,
    @Arg('reason') reason: string,
    @Ctx() ctx: RequestContext<IdentityLoaders>,
  ): Promise<MembershipEntity> {
    return this.memberships.revoke(callerOf(ctx), ctx, membershipId, reason);
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
