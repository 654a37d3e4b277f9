import { MembershipEntity } from './membership/membership.entity';
import { TenantEntity } from './tenant/tenant.entity';
import { UserEntity } from './user/user.entity';

export const identityEntities = [TenantEntity, UserEntity, MembershipEntity];
