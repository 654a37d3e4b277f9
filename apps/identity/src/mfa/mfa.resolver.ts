import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { callerOf } from '@compliance-graph/auth';
import type { RequestContext } from '@compliance-graph/federation';
import { MembershipEntity } from '../membership/membership.entity';
import { TotpActivation, TotpEnrollment } from './mfa.types';
import type { MfaService } from './mfa.service';

@Resolver()
export class MfaResolver {
  constructor(private readonly mfa: MfaService) {}

  @Mutation(() => TotpEnrollment)
  startTotpEnrollment(@Ctx() ctx: RequestContext<unknown>): Promise<TotpEnrollment> {
    return this.mfa.startEnrollment(callerOf(ctx));
  }

  @Mutation(() => TotpActivation, { description: 'then refreshSession yields a full token' })
  confirmTotpEnrollment(@Arg('code') code: string, @Ctx() ctx: RequestContext<unknown>): Promise<TotpActivation> {
    return this.mfa.confirmEnrollment(callerOf(ctx), ctx, code);
  }

  @Mutation(() => TotpActivation)
  regenerateRecoveryCodes(@Arg('totpCode') totpCode: string, @Ctx() ctx: RequestContext<unknown>): Promise<TotpActivation> {
    return this.mfa.regenerateRecoveryCodes(callerOf(ctx), ctx, totpCode);
  }

  @Mutation(() => MembershipEntity, { description: 'OWNER, ADMIN; never their own' })
  resetMemberMfa(
    @Arg('membershipId', () => ID) membershipId: string,
    @Arg('reason') reason: string,
    @Ctx() ctx: RequestContext<unknown>,
  ): Promise<MembershipEntity> {
    return this.mfa.resetMemberMfa(callerOf(ctx), ctx, membershipId, reason);
  }
}
