import type { DataSource, EntityManager } from 'typeorm';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; anything else is bad input, checked before it reaches a `uuid` column. */
export const isUuid = (value: string) => UUID.test(value);

/**
 * Runs `work` in a transaction scoped to one tenant: `app.tenant_id` is set with
 * `set_config(..., true)`, so it ends with the transaction and a pooled connection never
 * carries one tenant's scope into the next request. Row-level security does the rest.
 * Services are the only callers; resolvers never open transactions.
 *
 * `isolation` is for work that must see one snapshot across many statements (READ COMMITTED,
 * the default, takes a new one per statement); it is set before the first query, as
 * PostgreSQL requires.
 */
export async function withTenant<T>(
  dataSource: DataSource,
  tenant: string | { tenantId: string },
  work: (tx: EntityManager) => Promise<T>,
  isolation?: IsolationLevel,
): Promise<T> {
  const tenantId = typeof tenant === 'string' ? tenant : tenant.tenantId;
  if (!isUuid(tenantId)) throw new Error('withTenant needs a tenant id');
  const scoped = async (tx: EntityManager) => {
    await tx.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
    return work(tx);
  };
  return isolation ? dataSource.transaction(isolation, scoped) : dataSource.transaction(scoped);
}
