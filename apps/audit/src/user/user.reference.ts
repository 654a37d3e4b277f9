import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** Identity owns users; the audit log only names actors. */
@Directive('@key(fields: "id", resolvable: false)')
@ObjectType('User')
export class UserReference {
  @Field(() => ID)
  id!: string;

  static of(id: string): UserReference {
    return Object.assign(new UserReference(), { id });
  }
}
