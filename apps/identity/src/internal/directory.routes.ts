import type { Express } from 'express';
import { IsNull, type DataSource } from 'typeorm';
import type { Logger } from '@compliance-graph/config';
import { withTenant } from '@compliance-graph/db';
import { PRINCIPAL_STATUS, TENANT_SETTINGS, mountInternalApi, onlyServiceCredentials, type TenantSettings } from '@compliance-graph/internal-api';
import { ApiKeyEntity } from '../api-key/api-key.entity';
import { MembershipEntity } from '../membership/membership.entity';
import { findTenantForSupport } from '../support/support.store';
import { TenantEntity } from '../tenant/tenant.entity';
import { UserEntity } from '../user/user.entity';

export interface DirectoryRoutesOptions {
  db: DataSource;
  /** The subprocessors service's directory credential; without one, every caller is refused. */
  subprocessorsToken: string | undefined;
  logger: Logger;
}

async function tenantSettings(db: DataSource, tenantId: string): Promise<TenantSettings | null> {
  const tenant = await withTenant(db, tenantId, (tx) => tx.findOneBy(TenantEntity, { id: tenantId }));
  if (!tenant) return null;
  return {
    tenantId: tenant.id,
    slug: tenant.slug,
    name: tenant.name,
    subprocessorNoticeDays: tenant.subprocessorNoticeDays,
    publicSubprocessorPage: tenant.publicSubprocessorPage,
  };
}

/**
 * The identity facts the subprocessors service needs and must not read from identity's tables:
 * a tenant's settings (by id, or by slug for the public page) and who a principal is now (the
 * name an objection carries, and whether it may still act). Only the subprocessors service's
 * own credential is admitted; the answers are read under the tenant's row-level security.
 */
export function mountDirectoryRoutes(app: Express, options: DirectoryRoutesOptions): void {
  const guard = { guard: onlyServiceCredentials(options.subprocessorsToken ? { subprocessors: options.subprocessorsToken } : {}), logger: options.logger };

  mountInternalApi(app, TENANT_SETTINGS, guard, async ({ body }) => {
    // The slug is resolved by the sanctioned lookup support sessions use: the tenant id of a slug.
    const tenantId = 'tenantId' in body ? body.tenantId : (await findTenantForSupport(options.db, body.slug))?.tenantId;
    return { tenant: tenantId ? await tenantSettings(options.db, tenantId) : null };
  });

  mountInternalApi(app, PRINCIPAL_STATUS, guard, async ({ body }) => {
    const now = new Date();
    const principal = await withTenant(options.db, body.tenantId, async (tx) => {
      if (body.kind === 'API_KEY') {
        const key = await tx.findOneBy(ApiKeyEntity, { id: body.subjectId });
        return key && { name: key.name, role: key.role, active: !key.revokedAt && key.expiresAt > now };
      }
      // A member removed and invited again has several memberships: the standing one counts.
      const membership =
        (await tx.findOneBy(MembershipEntity, { userId: body.subjectId, revokedAt: IsNull() })) ??
        (await tx.findOne(MembershipEntity, { where: { userId: body.subjectId }, order: { createdAt: 'DESC' } }));
      if (!membership) return null;
      const user = await tx.findOneByOrFail(UserEntity, { id: body.subjectId });
      return { name: user.displayName, role: membership.role, active: !membership.revokedAt };
    });
    return { principal: principal ?? null };
  });
}
