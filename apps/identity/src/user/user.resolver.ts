import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import { badUserInput } from '@compliance-graph/auth';
import { isUuid } from '@compliance-graph/db';
import type { RequestContext } from '@compliance-graph/federation';
import type { IdentityLoaders } from '../loaders';
import { UserEntity } from './user.entity';

@Resolver(() => UserEntity)
export class UserResolver {
  @Query(() => UserEntity, { nullable: true })
  async user(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext<IdentityLoaders>): Promise<UserEntity | null> {
    if (!isUuid(id)) throw badUserInput('id must be a UUID');
    return ctx.loaders.users.load(id);
  }
}
