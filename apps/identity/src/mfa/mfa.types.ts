import { Field, ObjectType } from 'type-graphql';

@ObjectType('TotpEnrollment')
export class TotpEnrollment {
  @Field()
  secret!: string;

  @Field()
  otpauthUri!: string;
}

/** Confirming uses up the code's time step. */
@ObjectType('TotpActivation')
export class TotpActivation {
  @Field(() => [String])
  recoveryCodes!: string[];
}
