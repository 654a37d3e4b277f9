import { Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { callerOf, notFound } from '@compliance-graph/auth';
import type { RequestContext } from '@compliance-graph/federation';
import { ApiKeyEntity } from '../api-key/api-key.entity';
import { TenantEntity } from '../tenant/tenant.entity';
import { UserEntity } from '../user/user.entity';
import type { IdentityLoaders } from '../loaders';
import { Viewer } from './viewer.type';

@Resolver(() => Viewer)
export class ViewerResolver {
  @Query(() => Viewer)
  viewer(@Ctx() ctx: RequestContext<IdentityLoaders>): Viewer {
    const principal = callerOf(ctx);
    return Object.assign(new Viewer(), {
      principalKind: principal.kind,
      role: principal.role,
      tenantId: principal.tenantId,
      userId: principal.kind === 'API_KEY' ? null : principal.subjectId,
      apiKeyId: principal.kind === 'API_KEY' ? principal.subjectId : null,
    });
  }

  @FieldResolver(() => TenantEntity)
  async tenant(@Root() viewer: Viewer, @Ctx() ctx: RequestContext<IdentityLoaders>): Promise<TenantEntity> {
    return (await ctx.loaders.tenants.load(viewer.tenantId)) ?? Promise.reject(notFound());
  }

  @FieldResolver(() => UserEntity, { nullable: true, description: 'null for API keys' })
  user(@Root() viewer: Viewer, @Ctx() ctx: RequestContext<IdentityLoaders>) {
    return viewer.userId ? ctx.loaders.users.load(viewer.userId) : null;
  }

  @FieldResolver(() => Date, { nullable: true })
  async supportSessionExpiresAt(@Root() viewer: Viewer, @Ctx() ctx: RequestContext<IdentityLoaders>): Promise<Date | null> {
    if (viewer.principalKind !== 'SUPPORT') return null;
    return (await ctx.loaders.sessions.load(callerOf(ctx).sessionId))?.expiresAt ?? null;
  }

  @FieldResolver(() => ApiKeyEntity, { nullable: true, description: 'null for users' })
  apiKey(@Root() viewer: Viewer, @Ctx() ctx: RequestContext<IdentityLoaders>) {
    return viewer.apiKeyId ? ctx.loaders.apiKeys.load(viewer.apiKeyId) : null;
  }
}
