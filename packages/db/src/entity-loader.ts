import DataLoader from 'dataloader';
import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import { anyOf } from './find-operators';
import { isUuid, withTenant } from './with-tenant';

/**
 * A per-request DataLoader of one entity by id inside the caller's tenant: a batch is one
 * `WHERE id = ANY(...)` query, and rows the tenant may not see come back as null, exactly
 * like ids that do not exist or are not UUIDs. Without a tenant (anonymous caller) every id
 * is null.
 */
export function tenantEntityLoader<E extends ObjectLiteral & { id: string }>(
  dataSource: DataSource,
  tenantId: string | undefined,
  entity: EntityTarget<E>,
): DataLoader<string, E | null> {
  return new DataLoader(async (ids) => {
    const wellFormed = ids.filter(isUuid);
    if (!tenantId || wellFormed.length === 0) return ids.map(() => null);
    const rows = await withTenant(dataSource, tenantId, (tx) => tx.find(entity, { where: { id: anyOf(wellFormed) } as never }));
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

/**
 * A per-request DataLoader of the rows that belong to each parent id (an item's revisions, say),
 * inside the caller's tenant: one `WHERE <parent> = ANY(...)` query per batch, rows in `order`;
 * `where` narrows them further (a partner's own objections, say).
 */
export function tenantChildrenLoader<E extends ObjectLiteral>(
  dataSource: DataSource,
  tenantId: string | undefined,
  entity: EntityTarget<E>,
  parent: keyof E & string,
  order: Partial<Record<keyof E & string, 'ASC' | 'DESC'>>,
  where: Partial<E> = {},
): DataLoader<string, E[]> {
  return new DataLoader(async (ids) => {
    const wellFormed = ids.filter(isUuid);
    if (!tenantId || wellFormed.length === 0) return ids.map(() => []);
    const rows = await withTenant(dataSource, tenantId, (tx) => tx.find(entity, { where: { ...where, [parent]: anyOf(wellFormed) } as never, order: order as never }));
    const byParent = new Map<string, E[]>();
    for (const row of rows) {
      const siblings = byParent.get(row[parent]);
      if (siblings) siblings.push(row);
      else byParent.set(row[parent], [row]);
    }
    return ids.map((id) => byParent.get(id) ?? []);
  });
}
