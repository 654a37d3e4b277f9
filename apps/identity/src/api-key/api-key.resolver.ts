import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { callerOf } from '@compliance-graph/auth';
import type { RequestContext } from '@compliance-graph/federation';
import type { IdentityLoaders } from '../loaders';
import { UserEntity } from '../user/user.entity';
import { ApiKeyEntity } from './api-key.entity';
import type { ApiKeyService } from './api-key.service';
import { CreateApiKeyInput, CreatedApiKey } from './api-key.types';

@Resolver(() => ApiKeyEntity)
export class ApiKeyResolver {
  constructor(private readonly service: ApiKeyService) {}

  @Query(() => [ApiKeyEntity], { description: 'OWNER, ADMIN, AUDITOR' })
  apiKeys(@Ctx() ctx: RequestContext<IdentityLoaders>): Promise<ApiKeyEntity[]> {
    return this.service.list(callerOf(ctx));
  }

  @Mutation(() => CreatedApiKey, { description: 'OWNER, ADMIN' })
  createApiKey(@Arg('input', () => CreateApiKeyInput) input: CreateApiKeyInput, @Ctx() ctx: RequestContext<IdentityLoaders>): Promise<CreatedApiKey> {
    return this.service.create(callerOf(ctx), ctx, input);
  }

  @Mutation(() => ApiKeyEntity)
  revokeApiKey(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext<IdentityLoaders>): Promise<ApiKeyEntity> {
    return this.service.revoke(callerOf(ctx), ctx, id);
  }

  @FieldResolver(() => UserEntity)
  createdBy(@Root() apiKey: ApiKeyEntity, @Ctx() ctx: RequestContext<IdentityLoaders>) {
    return ctx.loaders.users.load(apiKey.createdById);
  }
}
