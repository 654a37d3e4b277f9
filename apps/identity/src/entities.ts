import { AccessReviewItemEntity } from './access-review/access-review-item.entity';
import { AccessReviewScheduleEntity } from './access-review/access-review-schedule.entity';
import { AccessReviewEntity } from './access-review/access-review.entity';
import { ApiKeyEntity } from './api-key/api-key.entity';
import { InvitationEntity } from './invitation/invitation.entity';
import { MembershipEntity } from './membership/membership.entity';
import { RefreshTokenEntity, SessionEntity } from './session/session.entity';
import { TenantEntity } from './tenant/tenant.entity';
import { UserEntity } from './user/user.entity';

/** Types the graph exposes. */
export const identityGraphEntities = [TenantEntity, UserEntity, MembershipEntity, ApiKeyEntity, AccessReviewEntity, AccessReviewItemEntity];
/** Everything TypeORM maps. */
export const identityEntities = [...identityGraphEntities, InvitationEntity, SessionEntity, RefreshTokenEntity, AccessReviewScheduleEntity];
