import { Ctx, Query, Resolver } from 'type-graphql';
import { notFound } from '@compliance-graph/auth';
import type { RequestContext } from '@compliance-graph/federation';
import type { IdentityLoaders } from '../loaders';
import { TenantEntity } from './tenant.entity';

@Resolver(() => TenantEntity)
export class TenantResolver {
  @Query(() => TenantEntity, { description: "The caller's tenant." })
  async tenant(@Ctx() ctx: RequestContext<IdentityLoaders>): Promise<TenantEntity> {
    return (await ctx.loaders.tenants.load(ctx.principal!.tenantId)) ?? Promise.reject(notFound());
  }
}
