import type { EntityManager } from 'typeorm';
import type { Role } from '@compliance-graph/auth';
import type { Caller } from '@compliance-graph/outbox';
import { recordIdentityAudit } from '../audit';
import { updateRoles } from '../role-updates';
import { ApiKeyEntity } from './api-key.entity';

export interface ApiKeyChanges {
  revocations?: readonly ApiKeyEntity[];
  roleChanges?: ReadonlyArray<{ apiKey: ApiKeyEntity; role: Role }>;
}

/**
 * The changes to keys that their admin (one at a time) and a completed access review (all at
 * once) both make, in the caller's transaction, each audited; `context` joins every record's
 * data (the review). The same few statements however many keys change; the gateway's key
 * exchange stops within seconds.
 */
export async function changeApiKeys(tx: EntityManager, caller: Caller, tenantId: string, changes: ApiKeyChanges, context: Record<string, unknown> = {}): Promise<void> {
  const { revocations = [], roleChanges = [] } = changes;
  const now = new Date();
  if (revocations.length > 0) {
    await tx.createQueryBuilder().update(ApiKeyEntity).set({ revokedAt: now }).where('id = ANY(:ids)', { ids: revocations.map((k) => k.id) }).execute();
  }
  await updateRoles(tx, ApiKeyEntity, roleChanges.map(({ apiKey, role }) => ({ id: apiKey.id, role })));
  await recordIdentityAudit(
    tx,
    caller,
    ...revocations.map((apiKey) => ({ tenantId, action: 'api_key.revoked', subjectType: 'ApiKey', subjectId: apiKey.id, data: { prefix: apiKey.prefix, ...context } })),
    ...roleChanges.map(({ apiKey, role }) => ({
      tenantId,
      action: 'api_key.role_changed',
      subjectType: 'ApiKey',
      subjectId: apiKey.id,
      data: { prefix: apiKey.prefix, from: apiKey.role, to: role, ...context },
    })),
  );
  for (const apiKey of revocations) apiKey.revokedAt = now;
  for (const { apiKey, role } of roleChanges) apiKey.role = role;
}
