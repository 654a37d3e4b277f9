import { Field, InputType, ObjectType } from 'type-graphql';
import type { Role } from '@compliance-graph/auth';
import { RoleEnum } from '../membership/membership.entity';
import { ApiKeyEntity } from './api-key.entity';

@ObjectType('CreatedApiKey')
export class CreatedApiKey {
  @Field(() => ApiKeyEntity)
  apiKey!: ApiKeyEntity;

  @Field({ description: 'the whole key, shown once; only its SHA-256 is stored' })
  secret!: string;
}

@InputType('CreateApiKeyInput')
export class CreateApiKeyInput {
  @Field()
  name!: string;

  @Field(() => RoleEnum)
  role!: Role;

  @Field()
  expiresAt!: Date;
}
