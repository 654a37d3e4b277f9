import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '@compliance-graph/federation';
import type { LogService } from '../log/log.service';
import { AuditEventConnection } from '../log/log.types';
import { EvidenceTrail, MembershipTrail } from './trail.types';

/** The trail of an entity: its events, oldest first. A foreign tenant's id has an empty trail. */
abstract class TrailResolver {
  constructor(protected readonly log: LogService) {}

  protected trail(ctx: RequestContext<unknown>, subjectType: string, subjectId: string, first: number, after: string | null) {
    return this.log.events(ctx.principal!, { subjectType, subjectId }, first, after);
  }
}

@Resolver(() => EvidenceTrail)
export class EvidenceTrailResolver extends TrailResolver {
  @FieldResolver(() => AuditEventConnection, { nullable: true })
  auditTrail(
    @Root() evidence: EvidenceTrail,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: RequestContext<unknown>,
  ) {
    return this.trail(ctx, 'Evidence', evidence.id, first, after);
  }
}

@Resolver(() => MembershipTrail)
export class MembershipTrailResolver extends TrailResolver {
  @FieldResolver(() => AuditEventConnection, { nullable: true })
  auditTrail(
    @Root() membership: MembershipTrail,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: RequestContext<unknown>,
  ) {
    return this.trail(ctx, 'Membership', membership.id, first, after);
  }
}
