import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { callerOf } from '@compliance-graph/auth';
import { UserReference, type RequestContext } from '@compliance-graph/federation';
import { AuditEventEntity } from '../event/event.entity';
import type { LogService } from './log.service';
import {
  AuditCheckpoint,
  AuditConsistencyProof,
  AuditEventConnection,
  AuditEventFilter,
  AuditInclusionProof,
  AuditVerification,
} from './log.types';

@Resolver(() => AuditEventEntity)
export class LogResolver {
  constructor(private readonly log: LogService) {}

  @Query(() => AuditEventConnection, { description: 'OWNER, ADMIN, AUDITOR' })
  auditEvents(
    @Arg('filter', () => AuditEventFilter, { nullable: true }) filter: AuditEventFilter | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: RequestContext<unknown>,
  ): Promise<AuditEventConnection> {
    return this.log.events(callerOf(ctx), filter, first, after);
  }

  @Query(() => AuditEventEntity, { nullable: true })
  auditEvent(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext<unknown>): Promise<AuditEventEntity | null> {
    return this.log.event(callerOf(ctx), id);
  }

  @Query(() => AuditCheckpoint, { description: 'latest when treeSize is omitted' })
  auditCheckpoint(@Arg('treeSize', () => Int, { nullable: true }) treeSize: number | null, @Ctx() ctx: RequestContext<unknown>): Promise<AuditCheckpoint> {
    return this.log.checkpoint(callerOf(ctx), treeSize);
  }

  @Query(() => AuditInclusionProof)
  auditInclusionProof(
    @Arg('eventId', () => ID) eventId: string,
    @Arg('treeSize', () => Int, { nullable: true }) treeSize: number | null,
    @Ctx() ctx: RequestContext<unknown>,
  ): Promise<AuditInclusionProof> {
    return this.log.inclusionProof(callerOf(ctx), eventId, treeSize);
  }

  @Query(() => AuditConsistencyProof)
  auditConsistencyProof(
    @Arg('fromSize', () => Int) fromSize: number,
    @Arg('toSize', () => Int) toSize: number,
    @Ctx() ctx: RequestContext<unknown>,
  ): Promise<AuditConsistencyProof> {
    return this.log.consistencyProof(callerOf(ctx), fromSize, toSize);
  }

  @Query(() => AuditVerification)
  verifyAuditLog(@Ctx() ctx: RequestContext<unknown>): Promise<AuditVerification> {
    return this.log.verify(callerOf(ctx));
  }

  @FieldResolver(() => UserReference, { nullable: true, description: 'resolved through identity for USER and SUPPORT actors' })
  actor(@Root() event: AuditEventEntity): UserReference | null {
    return event.actorId && (event.actorKind === 'USER' || event.actorKind === 'SUPPORT') ? UserReference.of(event.actorId) : null;
  }
}
