import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { callerOf } from '@compliance-graph/auth';
import type { RequestContext } from '@compliance-graph/federation';
import type { SubprocessorsLoaders } from '../loaders';
import { SubprocessorObjectionEntity } from '../objection/objection.entity';
import { SubprocessorEntity } from '../subprocessor/subprocessor.entity';
import { SubprocessorChangeEntity, SubprocessorChangeStatus } from './change.entity';
import { AnnounceChangeInput } from './change.inputs';
import type { ChangeService } from './change.service';

@Resolver(() => SubprocessorChangeEntity)
export class ChangeResolver {
  constructor(private readonly changes: ChangeService) {}

  @Query(() => [SubprocessorChangeEntity], { description: 'newest announcement first; `since`: changes announced, effective or cancelled at or after it' })
  subprocessorChanges(
    @Arg('status', () => SubprocessorChangeStatus, { nullable: true }) status: SubprocessorChangeStatus | null | undefined,
    @Arg('since', () => Date, { nullable: true }) since: Date | null | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<SubprocessorChangeEntity[]> {
    return this.changes.list(callerOf(ctx), status, since);
  }

  @Mutation(() => SubprocessorChangeEntity, { description: 'OWNER, ADMIN, COMPLIANCE_MANAGER' })
  announceSubprocessorChange(@Arg('input', () => AnnounceChangeInput) input: AnnounceChangeInput, @Ctx() ctx: RequestContext): Promise<SubprocessorChangeEntity> {
    return this.changes.announce(callerOf(ctx), ctx, input);
  }

  @Mutation(() => SubprocessorChangeEntity, { description: 'OWNER, ADMIN, COMPLIANCE_MANAGER; an ANNOUNCED change before its effectiveAt' })
  cancelSubprocessorChange(@Arg('id', () => ID) id: string, @Arg('reason') reason: string, @Ctx() ctx: RequestContext): Promise<SubprocessorChangeEntity> {
    return this.changes.cancel(callerOf(ctx), ctx, id, reason);
  }

  @FieldResolver(() => SubprocessorEntity, { description: 'the entry as it is now' })
  async subprocessor(@Root() change: SubprocessorChangeEntity, @Ctx() ctx: RequestContext<SubprocessorsLoaders>): Promise<SubprocessorEntity> {
    const entry = await ctx.loaders.subprocessors.load(change.subprocessorId);
    // Every change belongs to an entry with at least this change in its history.
    if (!entry) throw new Error('a change without its entry');
    return entry;
  }

  @FieldResolver(() => [SubprocessorObjectionEntity], { description: 'the tenant sees all; a partner sees its own' })
  objections(@Root() change: SubprocessorChangeEntity, @Ctx() ctx: RequestContext<SubprocessorsLoaders>): Promise<SubprocessorObjectionEntity[]> {
    return ctx.loaders.objections.load(change.id);
  }
}
