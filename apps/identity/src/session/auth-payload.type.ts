import { Field, ObjectType } from 'type-graphql';
import type { Principal, Role } from '@compliance-graph/auth';
import { RoleEnum } from '../membership/membership.entity';
import { TenantEntity } from '../tenant/tenant.entity';
import { UserEntity } from '../user/user.entity';

/** Readable in full by the caller who just obtained it: the issued principal becomes the caller. */
@ObjectType('AuthPayload')
export class AuthPayload {
  @Field({ description: 'EdDSA JWT, ~15 minutes' })
  accessToken!: string;

  @Field()
  accessTokenExpiresAt!: Date;

  @Field({ description: 'opaque, rotating, single use' })
  refreshToken!: string;

  @Field(() => UserEntity)
  user!: UserEntity;

  @Field(() => TenantEntity)
  tenant!: TenantEntity;

  @Field(() => RoleEnum)
  role!: Role;

  /** Who the tokens are for; the resolver makes it the caller of the rest of the operation. */
  principal!: Principal;
}
