import { oncePerStatementTenantMigration } from '@compliance-graph/db';
import { outboxDeadLettersMigration, outboxPerTopicMigration, outboxTraceContextMigration } from '@compliance-graph/outbox';
import { InitialIdentity1764230400000 } from './1764230400000-initial-identity';
import { Sessions1764316800000 } from './1764316800000-sessions';
import { Mfa1764316800001 } from './1764316800001-mfa';
import { Invitations1764403200000 } from './1764403200000-invitations';
import { ApiKeys1764489600000 } from './1764489600000-api-keys';
import { SupportSessions1764576000000 } from './1764576000000-support-sessions';
import { MfaResetScope1764748800000 } from './1764748800000-mfa-reset-scope';
import { ThrottleReservation1764921600001 } from './1764921600001-throttle-reservation';
import { DerivedSessions1765008000000 } from './1765008000000-derived-sessions';
import { ConfinedUserWrites1765094400000 } from './1765094400000-confined-user-writes';
import { AccessReviews1765526400000 } from './1765526400000-access-reviews';
import { AccessReviewSchedules1765612800000 } from './1765612800000-access-review-schedules';
import { PlatformOriginReserved1765699200000 } from './1765699200000-platform-origin-reserved';

export const identityMigrations = [
  InitialIdentity1764230400000,
  Sessions1764316800000,
  Mfa1764316800001,
  Invitations1764403200000,
  ApiKeys1764489600000,
  SupportSessions1764576000000,
  MfaResetScope1764748800000,
  outboxDeadLettersMigration('identity'),
  ThrottleReservation1764921600001,
  DerivedSessions1765008000000,
  ConfinedUserWrites1765094400000,
  outboxPerTopicMigration('identity'),
  AccessReviews1765526400000,
  AccessReviewSchedules1765612800000,
  PlatformOriginReserved1765699200000,
  outboxTraceContextMigration('identity'),
  oncePerStatementTenantMigration('identity', { outbox: 'position', refresh_tokens: 'session_id', access_review_items: 'review_id, id' }),
];
