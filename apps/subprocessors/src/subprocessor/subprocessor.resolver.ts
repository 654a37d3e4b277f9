import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import { callerOf } from '@compliance-graph/auth';
import type { RequestContext } from '@compliance-graph/federation';
import { SubprocessorEntity } from './subprocessor.entity';
import { SubprocessorService } from './subprocessor.service';

@Resolver(() => SubprocessorEntity)
export class SubprocessorResolver {
  constructor(private readonly service: SubprocessorService) {}

  @Query(() => [SubprocessorEntity], { description: "The caller's register at `asOf` (now when omitted), by name." })
  subprocessors(
    @Arg('asOf', () => Date, { nullable: true }) asOf: Date | null | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<SubprocessorEntity[]> {
    return this.service.list(callerOf(ctx), asOf);
  }

  @Query(() => SubprocessorEntity, { nullable: true })
  subprocessor(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<SubprocessorEntity | null> {
    return this.service.get(callerOf(ctx), id);
  }
}
