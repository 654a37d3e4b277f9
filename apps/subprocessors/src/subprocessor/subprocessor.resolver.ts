import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import { badUserInput, callerOf } from '@compliance-graph/auth';
import { isUuid } from '@compliance-graph/db';
import type { RequestContext } from '@compliance-graph/federation';
import type { SubprocessorsLoaders } from '../loaders';
import type { RegisterService } from '../register/register.service';
import { SubprocessorEntity } from './subprocessor.entity';

@Resolver(() => SubprocessorEntity)
export class SubprocessorResolver {
  constructor(private readonly register: RegisterService) {}

  @Query(() => [SubprocessorEntity], { description: "The caller's register at `asOf` (now when omitted): the entries in effect then, by name." })
  subprocessors(@Arg('asOf', () => Date, { nullable: true }) asOf: Date | null | undefined, @Ctx() ctx: RequestContext): Promise<SubprocessorEntity[]> {
    return this.register.list(callerOf(ctx), asOf);
  }

  @Query(() => SubprocessorEntity, { nullable: true, description: 'One entry as it is now, whatever its status; another tenant\'s id is null.' })
  subprocessor(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext<SubprocessorsLoaders>): Promise<SubprocessorEntity | null> {
    if (!isUuid(id)) throw badUserInput('id must be a UUID');
    return ctx.loaders.subprocessors.load(id);
  }
}
