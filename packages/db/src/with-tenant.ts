import type { DataSource, EntityManager } from 'typeorm';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; anything else is bad input, checked before it reaches a `uuid` column. */
export const isUuid = (value: string) => UUID.test(value);

/**
 * Runs `work` in a transaction scoped to one tenant: `app.tenant_id` is set with
 * `set_config(..., true)`, so it ends with the transaction and a pooled connection never
 * carries one tenant's scope into the next request. Row-level security does the rest.
 * Services are the only callers; resolvers never open transactions.
 */
export async function withTenant<T>(
  dataSource: DataSource,
  tenant: string | { tenantId: string },
  work: (tx: EntityManager) => Promise<T>,
): Promise<T> {
  const tenantId = typeof tenant === 'string' ? tenant : tenant.tenantId;
  if (!isUuid(tenantId)) throw new Error('withTenant needs a tenant id');
  return dataSource.transaction(async (tx) => {
    await tx.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
    return work(tx);
  });
}
