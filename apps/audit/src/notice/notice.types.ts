import { Directive, Field, ID, ObjectType } from 'type-graphql';

/**
 * The proof of notice of a subprocessor change, owned by the subprocessors subgraph; this
 * subgraph adds the announcement's audit event and its inclusion proof, from the caller's tenant's log.
 */
@Directive('@key(fields: "changeId")')
@ObjectType('SubprocessorChangeNotice')
export class SubprocessorChangeNoticeTrail {
  @Field(() => ID)
  changeId!: string;
}
