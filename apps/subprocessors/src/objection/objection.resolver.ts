import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { callerOf } from '@compliance-graph/auth';
import type { RequestContext } from '@compliance-graph/federation';
import { SubprocessorChangeEntity } from '../change/change.entity';
import type { SubprocessorsLoaders } from '../loaders';
import { SubprocessorObjectionEntity } from './objection.entity';
import type { ObjectionService } from './objection.service';

@Resolver(() => SubprocessorObjectionEntity)
export class ObjectionResolver {
  constructor(private readonly objections: ObjectionService) {}

  @Mutation(() => SubprocessorObjectionEntity, { description: 'PARTNER, until the objection deadline; one per partner and change' })
  objectToSubprocessorChange(@Arg('changeId', () => ID) changeId: string, @Arg('reason') reason: string, @Ctx() ctx: RequestContext): Promise<SubprocessorObjectionEntity> {
    return this.objections.object(callerOf(ctx), ctx, changeId, reason);
  }

  @FieldResolver(() => SubprocessorChangeEntity)
  async change(@Root() objection: SubprocessorObjectionEntity, @Ctx() ctx: RequestContext<SubprocessorsLoaders>): Promise<SubprocessorChangeEntity> {
    const change = await ctx.loaders.changes.load(objection.changeId);
    if (!change) throw new Error('an objection without its change');
    return change;
  }
}
