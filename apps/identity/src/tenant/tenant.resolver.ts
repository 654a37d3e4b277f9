import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { callerOf, notFound } from '@compliance-graph/auth';
import type { RequestContext } from '@compliance-graph/federation';
import type { IdentityLoaders } from '../loaders';
import { AuthPayload } from '../session/auth-payload.type';
import { becomeCaller } from '../session/session.resolver';
import { TenantEntity } from './tenant.entity';
import { SignUpInput, TenantSettingsInput } from './tenant.inputs';
import type { TenantService } from './tenant.service';

@Resolver(() => TenantEntity)
export class TenantResolver {
  constructor(private readonly tenants: TenantService) {}

  @Query(() => TenantEntity, { description: "The caller's tenant." })
  async tenant(@Ctx() ctx: RequestContext<IdentityLoaders>): Promise<TenantEntity> {
    return (await ctx.loaders.tenants.load(callerOf(ctx).tenantId)) ?? Promise.reject(notFound());
  }

  @Mutation(() => AuthPayload, { description: 'new tenant, caller becomes OWNER' })
  async signUp(@Arg('input', () => SignUpInput) input: SignUpInput, @Ctx() ctx: RequestContext<IdentityLoaders>): Promise<AuthPayload> {
    return becomeCaller(ctx, await this.tenants.signUp(input, ctx));
  }

  @Mutation(() => TenantEntity)
  updateTenantSettings(
    @Arg('input', () => TenantSettingsInput) input: TenantSettingsInput,
    @Ctx() ctx: RequestContext<IdentityLoaders>,
  ): Promise<TenantEntity> {
    return this.tenants.updateSettings(callerOf(ctx), ctx, input);
  }
}
