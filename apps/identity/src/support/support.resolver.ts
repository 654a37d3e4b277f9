import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { callerOf } from '@compliance-graph/auth';
import type { RequestContext } from '@compliance-graph/federation';
import type { IdentityLoaders } from '../loaders';
import { AuthPayload } from '../session/auth-payload.type';
import { becomeCaller } from '../session/session.resolver';
import { UserEntity } from '../user/user.entity';
import { SupportSession } from './support-session.type';
import type { SupportService } from './support.service';

@Resolver(() => SupportSession)
export class SupportResolver {
  constructor(private readonly service: SupportService) {}

  @Query(() => [SupportSession], { description: 'OWNER, ADMIN, AUDITOR: who from the platform accessed this tenant' })
  supportSessions(@Ctx() ctx: RequestContext<IdentityLoaders>): Promise<SupportSession[]> {
    return this.service.list(callerOf(ctx));
  }

  @Mutation(() => AuthPayload, { description: 'platform operators with MFA only' })
  async openSupportSession(
    @Arg('tenantSlug') tenantSlug: string,
    @Arg('reason') reason: string,
    @Arg('minutes', () => Int) minutes: number,
    @Ctx() ctx: RequestContext<IdentityLoaders>,
  ): Promise<AuthPayload> {
    return becomeCaller(ctx, await this.service.open(callerOf(ctx), ctx, tenantSlug, reason, minutes));
  }

  @Mutation(() => SupportSession, { description: "the support session itself, or the tenant's OWNER/ADMIN" })
  endSupportSession(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext<IdentityLoaders>): Promise<SupportSession> {
    return this.service.end(callerOf(ctx), ctx, id);
  }

  @FieldResolver(() => UserEntity)
  operator(@Root() session: SupportSession, @Ctx() ctx: RequestContext<IdentityLoaders>) {
    return ctx.loaders.users.load(session.operatorId);
  }
}
