import { Directive, Field, ID, ObjectType } from 'type-graphql';

/**
 * Entities owned elsewhere whose audit trail this subgraph contributes. Only the id is known
 * here; the trail is the events whose subject is that entity, in the caller's tenant.
 */
@Directive('@key(fields: "id")')
@ObjectType('Evidence')
export class EvidenceTrail {
  @Field(() => ID)
  id!: string;
}

@Directive('@key(fields: "id")')
@ObjectType('Membership')
export class MembershipTrail {
  @Field(() => ID)
  id!: string;
}
