import { FieldResolver, Resolver, Root } from 'type-graphql';
import { UserReference } from '@compliance-graph/federation';
import { DecisionEntity } from './decision.entity';

@Resolver(() => DecisionEntity)
export class DecisionResolver {
  @FieldResolver(() => UserReference, { description: "never the evidence's creator nor its current revision's uploader (segregation of duties)" })
  decidedBy(@Root() decision: DecisionEntity): UserReference {
    return UserReference.of(decision.decidedById);
  }
}
