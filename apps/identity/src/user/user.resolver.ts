import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { callerOf, badUserInput } from '@compliance-graph/auth';
import { isUuid } from '@compliance-graph/db';
import type { RequestContext } from '@compliance-graph/federation';
import type { IdentityLoaders } from '../loaders';
import { UserEntity } from './user.entity';
import type { UserService } from './user.service';

@Resolver(() => UserEntity)
export class UserResolver {
  constructor(private readonly users: UserService) {}

  @Query(() => UserEntity, { nullable: true })
  async user(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext<IdentityLoaders>): Promise<UserEntity | null> {
    if (!isUuid(id)) throw badUserInput('id must be a UUID');
    return ctx.loaders.users.load(id);
  }

  @Mutation(() => Boolean, { description: "revokes the user's other sessions" })
  changePassword(
    @Arg('currentPassword') currentPassword: string,
    @Arg('newPassword') newPassword: string,
    @Ctx() ctx: RequestContext<IdentityLoaders>,
  ): Promise<boolean> {
    return this.users.changePassword(callerOf(ctx), ctx, currentPassword, newPassword);
  }
}
