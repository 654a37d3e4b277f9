import type { DataSource } from 'typeorm';

/** The tenant a support session is asked for, and whether it allows one (a lookup across tenants, in a database function). */
export async function findTenantForSupport(db: DataSource, slug: string): Promise<{ tenantId: string; supportAccessAllowed: boolean } | undefined> {
  const [found]: Array<{ tenantId: string; supportAccessAllowed: boolean }> = await db.query(
    `SELECT tenant_id AS "tenantId", support_access_allowed AS "supportAccessAllowed" FROM find_tenant_for_support($1)`,
    [slug],
  );
  return found;
}
