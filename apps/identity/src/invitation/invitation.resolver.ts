import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { callerOf, type Role } from '@compliance-graph/auth';
import type { RequestContext } from '@compliance-graph/federation';
import type { IdentityLoaders } from '../loaders';
import { RoleEnum } from '../membership/membership.entity';
import { AuthPayload } from '../session/auth-payload.type';
import { becomeCaller } from '../session/session.resolver';
import { UserEntity } from '../user/user.entity';
import { InvitationEntity } from './invitation.entity';
import type { InvitationService } from './invitation.service';
import { AcceptInvitationInput, CreatedInvitation } from './invitation.types';

@Resolver(() => InvitationEntity)
export class InvitationResolver {
  constructor(private readonly service: InvitationService) {}

  @Query(() => [InvitationEntity])
  invitations(
    @Arg('pending', () => Boolean, { nullable: true, defaultValue: true }) pending: boolean,
    @Ctx() ctx: RequestContext<IdentityLoaders>,
  ): Promise<InvitationEntity[]> {
    return this.service.list(callerOf(ctx), pending);
  }

  @Mutation(() => CreatedInvitation)
  inviteMember(
    @Arg('email') email: string,
    @Arg('role', () => RoleEnum) role: Role,
    @Ctx() ctx: RequestContext<IdentityLoaders>,
  ): Promise<CreatedInvitation> {
    return this.service.invite(callerOf(ctx), ctx, email, role);
  }

  @Mutation(() => InvitationEntity)
  revokeInvitation(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext<IdentityLoaders>): Promise<InvitationEntity> {
    return this.service.revoke(callerOf(ctx), ctx, id);
  }

  @Mutation(() => AuthPayload)
  async acceptInvitation(
    @Arg('input', () => AcceptInvitationInput) input: AcceptInvitationInput,
    @Ctx() ctx: RequestContext<IdentityLoaders>,
  ): Promise<AuthPayload> {
    return becomeCaller(ctx, await this.service.accept(input, ctx));
  }

  @FieldResolver(() => UserEntity)
  invitedBy(@Root() invitation: InvitationEntity, @Ctx() ctx: RequestContext<IdentityLoaders>) {
    return ctx.loaders.users.load(invitation.invitedById);
  }
}
