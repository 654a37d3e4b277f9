import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '@compliance-graph/federation';
import type { AuditLoaders } from '../loaders';
import { AuditEventConnection } from '../log/log.types';
import { EvidenceTrail, MembershipTrail } from './trail.types';

/** The trail of an entity: its events, oldest first. A foreign tenant's id has an empty trail. */
const trail = (ctx: RequestContext<AuditLoaders>, subjectType: string, subjectId: string, first: number, after: string | null) =>
  ctx.loaders.trail(subjectType, first, after).load(subjectId);

@Resolver(() => EvidenceTrail)
export class EvidenceTrailResolver {
  @FieldResolver(() => AuditEventConnection, { nullable: true })
  auditTrail(
    @Root() evidence: EvidenceTrail,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: RequestContext<AuditLoaders>,
  ) {
    return trail(ctx, 'Evidence', evidence.id, first, after);
  }
}

@Resolver(() => MembershipTrail)
export class MembershipTrailResolver {
  @FieldResolver(() => AuditEventConnection, { nullable: true })
  auditTrail(
    @Root() membership: MembershipTrail,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: RequestContext<AuditLoaders>,
  ) {
    return trail(ctx, 'Membership', membership.id, first, after);
  }
}
