import type { EntityManager } from 'typeorm';
import type { Role } from '@compliance-graph/auth';
import type { Caller } from '@compliance-graph/outbox';
import { recordIdentityAudit } from '../audit';
import { ApiKeyEntity } from './api-key.entity';

/**
 * The changes to a key that its admin and a completed access review both make, in the caller's
 * transaction, each audited; `context` joins the record's data (the review). The gateway's key
 * exchange stops within seconds.
 */
export async function revokeApiKey(tx: EntityManager, caller: Caller, apiKey: ApiKeyEntity, context: Record<string, unknown> = {}): Promise<void> {
  apiKey.revokedAt = new Date();
  await tx.update(ApiKeyEntity, { id: apiKey.id }, { revokedAt: apiKey.revokedAt });
  await recordIdentityAudit(tx, caller, {
    tenantId: apiKey.tenantId,
    action: 'api_key.revoked',
    subjectType: 'ApiKey',
    subjectId: apiKey.id,
    data: { prefix: apiKey.prefix, ...context },
  });
}

export async function changeApiKeyRole(tx: EntityManager, caller: Caller, apiKey: ApiKeyEntity, role: Role, context: Record<string, unknown> = {}): Promise<void> {
  const from = apiKey.role;
  apiKey.role = role;
  await tx.update(ApiKeyEntity, { id: apiKey.id }, { role });
  await recordIdentityAudit(tx, caller, {
    tenantId: apiKey.tenantId,
    action: 'api_key.role_changed',
    subjectType: 'ApiKey',
    subjectId: apiKey.id,
    data: { prefix: apiKey.prefix, from, to: role, ...context },
  });
}
