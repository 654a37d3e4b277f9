import { Field, InputType, ObjectType } from 'type-graphql';
import { InvitationEntity } from './invitation.entity';

@ObjectType('CreatedInvitation')
export class CreatedInvitation {
  @Field(() => InvitationEntity)
  invitation!: InvitationEntity;

  @Field({ description: 'shown once to the inviting admin; only its hash is stored' })
  token!: string;
}

@InputType('AcceptInvitationInput')
export class AcceptInvitationInput {
  @Field()
  token!: string;

  @Field({ description: 'ignored for an existing user' })
  displayName!: string;

  @Field({ description: "a new user's password, or an existing user's current one" })
  password!: string;

  @Field(() => String, { nullable: true, description: 'required when the existing user has MFA (else MFA_REQUIRED)' })
  totpCode?: string | null;
}
