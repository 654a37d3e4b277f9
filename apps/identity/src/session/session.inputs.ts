import { Field, InputType } from 'type-graphql';

@InputType('LoginInput')
export class LoginInput {
  @Field()
  tenantSlug!: string;

  @Field()
  email!: string;

  @Field()
  password!: string;

  @Field(() => String, { nullable: true, description: 'or a recovery code; required when MFA is enabled' })
  totpCode?: string | null;
}
