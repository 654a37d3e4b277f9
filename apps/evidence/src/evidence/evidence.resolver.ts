import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { badUserInput } from '@compliance-graph/auth';
import { isUuid } from '@compliance-graph/db';
import { UserReference, type RequestContext } from '@compliance-graph/federation';
import type { EvidenceLoaders } from '../loaders';
import { EvidenceEntity } from './evidence.entity';

@Resolver(() => EvidenceEntity)
export class EvidenceResolver {
  @Query(() => EvidenceEntity, { nullable: true })
  evidence(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext<EvidenceLoaders>) {
    if (!isUuid(id)) throw badUserInput('id must be a UUID');
    return ctx.loaders.evidence.load(id);
  }

  @FieldResolver(() => UserReference)
  createdBy(@Root() evidence: EvidenceEntity): UserReference {
    return UserReference.of(evidence.createdById);
  }
}
