import type { EntityManager } from 'typeorm';
import type { AccessReviewItemEntity } from './access-review-item.entity';

type NewItem = Pick<AccessReviewItemEntity, 'id' | 'membershipId' | 'apiKeyId' | 'ownerUserId' | 'roleAtStart' | 'flags' | 'signals'>;

/** Writes a review's scope in one statement whatever its size (ten thousand memberships are one INSERT, not ten). */
export async function insertScope(tx: EntityManager, tenantId: string, reviewId: string, items: readonly NewItem[]): Promise<void> {
  if (items.length === 0) return;
  const column = <T>(pick: (item: NewItem) => T) => items.map(pick);
  await tx.query(
    `INSERT INTO access_review_items (id, tenant_id, review_id, membership_id, api_key_id, owner_user_id, role_at_start, flags, signals)
     SELECT id, $1, $2, membership_id, api_key_id, owner_user_id, role_at_start, string_to_array(flags, ','), signals
       FROM unnest($3::uuid[], $4::uuid[], $5::uuid[], $6::uuid[], $7::text[], $8::text[], $9::jsonb[])
         AS s(id, membership_id, api_key_id, owner_user_id, role_at_start, flags, signals)`,
    [
      tenantId,
      reviewId,
      column((i) => i.id),
      column((i) => i.membershipId),
      column((i) => i.apiKeyId),
      column((i) => i.ownerUserId),
      column((i) => i.roleAtStart),
      column((i) => i.flags.join(',')),
      column((i) => JSON.stringify(i.signals)),
    ],
  );
}
