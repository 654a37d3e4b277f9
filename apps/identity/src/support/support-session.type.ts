import { Field, ID, ObjectType } from 'type-graphql';

/** A platform operator's visit to the tenant, as the tenant sees it. */
@ObjectType('SupportSession')
export class SupportSession {
  @Field(() => ID)
  id!: string;

  @Field()
  reason!: string;

  @Field()
  openedAt!: Date;

  @Field()
  expiresAt!: Date;

  @Field(() => Date, { nullable: true })
  endedAt!: Date | null;

  /** Tenant of the visit: the shared tenant rule reads it. */
  tenantId!: string;
  operatorId!: string;
}
