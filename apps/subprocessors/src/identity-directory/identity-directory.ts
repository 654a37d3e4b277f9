import { LRUCache } from 'lru-cache';
import type { Role } from '@compliance-graph/auth';
import { PRINCIPAL_STATUS, TENANT_SETTINGS, callInternalApi, type TenantSettings } from '@compliance-graph/internal-api';

export type { TenantSettings };

export interface DirectoryPrincipal {
  name: string;
  role: Role;
  active: boolean;
}

export interface IdentityDirectoryOptions {
  /** Identity's base URL. */
  url: string;
  /** This service's own directory credential (IDENTITY_DIRECTORY_TOKEN). */
  credential: string;
  /** How long a tenant's settings are reused; default 5 s. */
  tenantTtlMs?: number;
}

/**
 * The identity facts this service needs, asked of identity through its internal directory API
 * (this service never reads identity's tables). Tenant settings are cached for a few seconds:
 * the public page and every announcement ask for them, and a settings change (notice days, the
 * page switched off) may take that long to bite, as a role change does at the gateway. Who a
 * principal is is never cached: an objection records the name and standing of the moment.
 * Concurrent lookups of one tenant while it is not cached share one call (lru-cache's `fetch`),
 * so a burst of feed readers after the entry expires asks identity once.
 */
export class IdentityDirectory {
  private readonly tenants: LRUCache<string, { settings: TenantSettings | null }, { lookup: { tenantId: string } | { slug: string } }>;

  constructor(private readonly options: IdentityDirectoryOptions) {
    this.tenants = new LRUCache({
      max: 1000,
      ttl: options.tenantTtlMs ?? 5000,
      fetchMethod: async (_key, _stale, { context }) => {
        const { tenant } = await callInternalApi(this.options.url, TENANT_SETTINGS, { ...this.call(), body: context.lookup });
        return { settings: tenant };
      },
    });
  }

  tenant(tenantId: string): Promise<TenantSettings | null> {
    return this.cachedTenant(`id:${tenantId}`, { tenantId });
  }

  tenantBySlug(slug: string): Promise<TenantSettings | null> {
    return this.cachedTenant(`slug:${slug}`, { slug });
  }

  async principal(tenantId: string, kind: 'USER' | 'API_KEY', subjectId: string): Promise<DirectoryPrincipal | null> {
    const answer = await callInternalApi(this.options.url, PRINCIPAL_STATUS, { ...this.call(), body: { tenantId, kind, subjectId } });
    return answer.principal;
  }

  private async cachedTenant(key: string, body: { tenantId: string } | { slug: string }): Promise<TenantSettings | null> {
    const cached = await this.tenants.fetch(key, { context: { lookup: body } });
    return cached!.settings;
  }

  /** The directory is for services: no router secret is proven, only this service's credential. */
  private call() {
    return { bearer: this.options.credential, routerSecret: '' };
  }
}
