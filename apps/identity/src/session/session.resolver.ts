import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { callerOf } from '@compliance-graph/auth';
import type { RequestContext } from '@compliance-graph/federation';
import { AuthPayload } from './auth-payload.type';
import { LoginInput } from './session.inputs';
import type { LoginService } from './login.service';
import type { SessionService } from './session.service';

/**
 * The newly issued principal is the caller for the rest of the operation, which is the
 * mutation's own selection set (a principal-changing mutation is always the only root field).
 * Shield caches rule results per request by rule name: they were computed for the earlier
 * caller, so they go with it.
 */
export function becomeCaller(ctx: RequestContext<unknown> & { _shield?: { cache: Record<string, unknown> } }, payload: AuthPayload): AuthPayload {
  ctx.principal = payload.principal;
  if (ctx._shield) ctx._shield.cache = {};
  return payload;
}

@Resolver()
export class SessionResolver {
  constructor(
    private readonly logins: LoginService,
    private readonly sessions: SessionService,
  ) {}

  @Mutation(() => AuthPayload, { description: 'MFA_REQUIRED when a code is needed' })
  async login(@Arg('input', () => LoginInput) input: LoginInput, @Ctx() ctx: RequestContext<unknown>): Promise<AuthPayload> {
    return becomeCaller(ctx, await this.logins.login(input, ctx));
  }

  @Mutation(() => AuthPayload)
  async refreshSession(@Arg('refreshToken') refreshToken: string, @Ctx() ctx: RequestContext<unknown>): Promise<AuthPayload> {
    return becomeCaller(ctx, await this.sessions.refresh(refreshToken, ctx));
  }

  @Mutation(() => Boolean)
  logout(@Arg('refreshToken') refreshToken: string, @Ctx() ctx: RequestContext<unknown>): Promise<boolean> {
    return this.sessions.logout(refreshToken, ctx);
  }

  @Mutation(() => AuthPayload, { description: 'for users with several memberships; a user with MFA switches only from a session that passed MFA' })
  async switchTenant(@Arg('tenantId', () => ID) tenantId: string, @Ctx() ctx: RequestContext<unknown>): Promise<AuthPayload> {
    return becomeCaller(ctx, await this.sessions.switchTenant(callerOf(ctx), ctx, tenantId));
  }
}
