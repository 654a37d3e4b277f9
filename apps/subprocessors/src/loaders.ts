import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import type { Principal } from '@compliance-graph/auth';
import { isUuid, tenantChildrenLoader, tenantEntityLoader, withTenant } from '@compliance-graph/db';
import { SubprocessorChangeEntity } from './change/change.entity';
import type { Clock } from './clock';
import type { IdentityDirectory } from './identity-directory/identity-directory';
import { fanoutSizesLoader, noticeDeliveriesLoader, ownerNamesLoader } from './notice/notice.loaders';
import type { NoticeDeliveryRow } from './notice/notice.store';
import { SubprocessorObjectionEntity } from './objection/objection.entity';
import { entriesById } from './register/register.store';
import type { SubprocessorEntity } from './subprocessor/subprocessor.entity';
import { deliveriesLoader } from './webhook/deliveries.loader';
import { lastDeliveryLoader } from './webhook/last-delivery.loader';
import type { LastDelivery } from './webhook/webhook.store';
import type { WebhookDeliveryConnection } from './webhook/webhook.types';

export interface SubprocessorsLoaders {
  /** Entries as they are now, whatever their status. */
  subprocessors: DataLoader<string, SubprocessorEntity | null>;
  changes: DataLoader<string, SubprocessorChangeEntity | null>;
  /** A change's objections the caller may see: all for the tenant's staff, its own for a partner. */
  objections: DataLoader<string, SubprocessorObjectionEntity[]>;
  lastWebhookDeliveries: DataLoader<string, LastDelivery | null>;
  /** By subscription id, one loader per page asked for: its delivery log, newest first. */
  webhookDeliveries(first: number | null, after: string | null): DataLoader<string, WebhookDeliveryConnection>;
  /** By announcement event id: its delivery attempts. */
  noticeDeliveries: DataLoader<string, NoticeDeliveryRow[]>;
  /** By announcement event id: how many subscriptions it was fanned out to. */
  fanoutSizes: DataLoader<string, number | null>;
  /** By `<kind>:<id>` of a subscription owner: its name. */
  ownerNames: DataLoader<string, string | null>;
}

export function createSubprocessorsLoaders(
  db: DataSource,
  principal: Principal | undefined,
  clock: Clock,
  directory: Pick<IdentityDirectory, 'principal'>,
): SubprocessorsLoaders {
  const tenantId = principal?.tenantId;
  // Staff see every objection of a change, a partner only its own.
  const ownObjections = principal?.role === 'PARTNER' ? { partnerKind: principal.kind as 'USER' | 'API_KEY', partnerId: principal.subjectId } : {};
  return {
    subprocessors: new DataLoader(async (ids) => {
      const wellFormed = ids.filter(isUuid);
      if (!tenantId || wellFormed.length === 0) return ids.map(() => null);
      const entries = await withTenant(db, tenantId, (tx) => entriesById(tx, wellFormed, clock()));
      const byId = new Map(entries.map((entry) => [entry.id, entry]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    changes: tenantEntityLoader(db, tenantId, SubprocessorChangeEntity),
    objections: tenantChildrenLoader(db, tenantId, SubprocessorObjectionEntity, 'changeId', { createdAt: 'ASC', id: 'ASC' }, ownObjections),
    lastWebhookDeliveries: lastDeliveryLoader(db, tenantId),
    webhookDeliveries: deliveriesLoader(db, tenantId),
    noticeDeliveries: noticeDeliveriesLoader(db, tenantId),
    fanoutSizes: fanoutSizesLoader(db, tenantId),
    ownerNames: ownerNamesLoader(directory, tenantId),
  };
}
