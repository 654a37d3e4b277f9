import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { withTenant } from '@compliance-graph/db';
import type { IdentityDirectory } from '../identity-directory/identity-directory';
import type { WebhookOwnerKind } from '../webhook/webhook-subscription.entity';
import { deliveriesOfEvents, fanoutSizes, type NoticeDeliveryRow } from './notice.store';

/** The delivery attempts of each announcement event, one statement per batch of notices. */
export function noticeDeliveriesLoader(db: DataSource, tenantId: string | undefined): DataLoader<string, NoticeDeliveryRow[]> {
  return new DataLoader(async (eventIds) => {
    if (!tenantId) return eventIds.map(() => []);
    const rows = await withTenant(db, tenantId, (tx) => deliveriesOfEvents(tx, eventIds));
    return eventIds.map((id) => rows.filter((row) => row.eventId === id));
  });
}

/** How many subscriptions each announcement event was fanned out to; null before its fan-out. */
export function fanoutSizesLoader(db: DataSource, tenantId: string | undefined): DataLoader<string, number | null> {
  return new DataLoader(async (eventIds) => {
    if (!tenantId) return eventIds.map(() => null);
    const sizes = await withTenant(db, tenantId, (tx) => fanoutSizes(tx, eventIds));
    return eventIds.map((id) => sizes.get(id) ?? null);
  });
}

/**
 * Subscription owners' names, asked of identity once per distinct owner in a request: a
 * notice lists many attempts of few subscriptions, so the calls are as many as the owners.
 */
export function ownerNamesLoader(directory: Pick<IdentityDirectory, 'principal'>, tenantId: string | undefined): DataLoader<string, string | null> {
  return new DataLoader(
    (keys) =>
      Promise.all(
        keys.map(async (key) => {
          if (!tenantId) return null;
          const [kind, id] = key.split(':') as [WebhookOwnerKind, string];
          return (await directory.principal(tenantId, kind, id))?.name ?? null;
        }),
      ),
  );
}

export const ownerKey = (kind: WebhookOwnerKind, id: string) => `${kind}:${id}`;
