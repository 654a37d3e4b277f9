import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import type { Principal } from '@compliance-graph/auth';
import { tenantEntityLoader } from '@compliance-graph/db';
import { AccessReviewEntity } from './access-review/access-review.entity';
import { reviewSummaries } from './access-review/access-review.service';
import type { AccessReviewSummary } from './access-review/access-review.types';
import { ApiKeyEntity } from './api-key/api-key.entity';
import { SessionEntity } from './session/session.entity';
import { TenantEntity } from './tenant/tenant.entity';
import { UserEntity } from './user/user.entity';
import { MembershipEntity } from './membership/membership.entity';

export interface IdentityLoaders {
  tenants: DataLoader<string, TenantEntity | null>;
  users: DataLoader<string, UserEntity | null>;
  memberships: DataLoader<string, MembershipEntity | null>;
  apiKeys: DataLoader<string, ApiKeyEntity | null>;
  sessions: DataLoader<string, SessionEntity | null>;
  accessReviews: DataLoader<string, AccessReviewEntity | null>;
  accessReviewSummaries: DataLoader<string, AccessReviewSummary>;
}

export function createIdentityLoaders(db: DataSource, principal: Principal | undefined): IdentityLoaders {
  return {
    tenants: tenantEntityLoader(db, principal?.tenantId, TenantEntity),
    users: tenantEntityLoader(db, principal?.tenantId, UserEntity),
    memberships: tenantEntityLoader(db, principal?.tenantId, MembershipEntity),
    apiKeys: tenantEntityLoader(db, principal?.tenantId, ApiKeyEntity),
    sessions: tenantEntityLoader(db, principal?.tenantId, SessionEntity),
    accessReviews: tenantEntityLoader(db, principal?.tenantId, AccessReviewEntity),
    accessReviewSummaries: new DataLoader((ids) => reviewSummaries(db, principal?.tenantId, ids)),
  };
}
