import { Directive, Field, ID, ObjectType } from 'type-graphql';

/**
 * Identity owns users; other subgraphs only name them (creator, uploader, actor). Each of
 * them puts this stub in its schema and returns it; identity resolves the rest.
 */
@Directive('@key(fields: "id", resolvable: false)')
@ObjectType('User')
export class UserReference {
  @Field(() => ID)
  id!: string;

  static of(id: string): UserReference {
    return Object.assign(new UserReference(), { id });
  }
}
