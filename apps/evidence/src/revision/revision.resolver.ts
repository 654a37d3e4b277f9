import { FieldResolver, Resolver, Root } from 'type-graphql';
import { UserReference } from '@compliance-graph/federation';
import { RevisionEntity } from './revision.entity';

@Resolver(() => RevisionEntity)
export class RevisionResolver {
  @FieldResolver(() => UserReference)
  uploadedBy(@Root() revision: RevisionEntity): UserReference {
    return UserReference.of(revision.uploadedById);
  }
}
