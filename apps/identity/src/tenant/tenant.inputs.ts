import { Field, InputType, Int } from 'type-graphql';

@InputType('SignUpInput')
export class SignUpInput {
  @Field()
  tenantName!: string;

  @Field()
  tenantSlug!: string;

  @Field()
  email!: string;

  @Field({ description: 'at least 12 characters' })
  password!: string;

  @Field()
  displayName!: string;
}

@InputType('TenantSettingsInput')
export class TenantSettingsInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => Boolean, { nullable: true })
  mfaRequired?: boolean | null;

  @Field(() => Boolean, { nullable: true })
  supportAccessAllowed?: boolean | null;

  @Field(() => Int, { nullable: true })
  subprocessorNoticeDays?: number | null;

  @Field(() => Boolean, { nullable: true })
  publicSubprocessorPage?: boolean | null;
}
