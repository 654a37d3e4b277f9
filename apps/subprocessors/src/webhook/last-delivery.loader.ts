import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { withTenant } from '@compliance-graph/db';
import { lastDeliveries, type LastDelivery } from './webhook.store';

/** Each subscription's latest attempt, one statement per batch (a list of subscriptions costs one). */
export function lastDeliveryLoader(db: DataSource, tenantId: string | undefined): DataLoader<string, LastDelivery | null> {
  return new DataLoader(async (ids) => {
    if (!tenantId) return ids.map(() => null);
    const rows = await withTenant(db, tenantId, (tx) => lastDeliveries(tx, ids));
    const bySubscription = new Map(rows.map((row) => [row.subscriptionId, row]));
    return ids.map((id) => bySubscription.get(id) ?? null);
  });
}
