import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { isUuid, withTenant } from '@compliance-graph/db';
import { connection, pageRequest } from '@compliance-graph/federation';
import { deliveryPages, type DeliveryKey } from './webhook.store';
import type { WebhookDeliveryConnection } from './webhook.types';

const isDeliveryKey = (value: unknown): value is DeliveryKey =>
  Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && !Number.isNaN(Date.parse(value[0])) && typeof value[1] === 'string' && isUuid(value[1]);

const empty = (first: number): WebhookDeliveryConnection => connection([], first, 0, (): DeliveryKey => ['', '']);

/**
 * Subscriptions' delivery logs, batched per page asked for: a list of subscriptions that all
 * ask for their deliveries costs one transaction, not one each. The page is checked when asked
 * for (a bad `first` or cursor is the caller's error, before anything is loaded).
 */
export function deliveriesLoader(db: DataSource, tenantId: string | undefined) {
  const pages = new Map<string, DataLoader<string, WebhookDeliveryConnection>>();
  return (first: number | null, after: string | null): DataLoader<string, WebhookDeliveryConnection> => {
    const page = pageRequest(first, after, isDeliveryKey);
    const key = JSON.stringify([page.first, page.after]);
    if (!pages.has(key)) {
      pages.set(
        key,
        new DataLoader(async (ids) => {
          if (!tenantId) return ids.map(() => empty(page.first));
          const { rows, totals } = await withTenant(db, tenantId, (tx) => deliveryPages(tx, ids, page.after, page.first + 1));
          return ids.map((id) =>
            connection(rows.filter((row) => row.subscriptionId === id), page.first, totals.get(id) ?? 0, (row): DeliveryKey => [row.attemptedAt.toISOString(), row.id]),
          );
        }),
      );
    }
    return pages.get(key)!;
  };
}
