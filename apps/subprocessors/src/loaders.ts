import DataLoader from 'dataloader';
import { In, type DataSource } from 'typeorm';
import type { Principal } from '@compliance-graph/auth';
import { isUuid, tenantEntityLoader, withTenant } from '@compliance-graph/db';
import { SubprocessorChangeEntity } from './change/change.entity';
import type { Clock } from './clock';
import type { IdentityDirectory } from './identity-directory/identity-directory';
import { fanoutSizesLoader, noticeDeliveriesLoader, ownerNamesLoader } from './notice/notice.loaders';
import type { NoticeDeliveryRow } from './notice/notice.store';
import { SubprocessorObjectionEntity } from './objection/objection.entity';
import { entriesById } from './register/register.store';
import type { SubprocessorEntity } from './subprocessor/subprocessor.entity';
import { lastDeliveryLoader } from './webhook/last-delivery.loader';
import type { LastDelivery } from './webhook/webhook.store';

export interface SubprocessorsLoaders {
  /** Entries as they are now, whatever their status. */
  subprocessors: DataLoader<string, SubprocessorEntity | null>;
  changes: DataLoader<string, SubprocessorChangeEntity | null>;
  /** A change's objections the caller may see: all for the tenant's staff, its own for a partner. */
  objections: DataLoader<string, SubprocessorObjectionEntity[]>;
  lastWebhookDeliveries: DataLoader<string, LastDelivery | null>;
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
  const inTenant = <V>(ids: readonly string[], empty: V, load: (wellFormed: string[]) => Promise<Map<string, V>>) => {
    const wellFormed = ids.filter(isUuid);
    if (!tenantId || wellFormed.length === 0) return Promise.resolve(ids.map(() => empty));
    return load(wellFormed).then((found) => ids.map((id) => found.get(id) ?? empty));
  };
  return {
    subprocessors: new DataLoader((ids) =>
      inTenant<SubprocessorEntity | null>(ids, null, async (wellFormed) => {
        const entries = await withTenant(db, tenantId!, (tx) => entriesById(tx, wellFormed, clock()));
        return new Map(entries.map((entry) => [entry.id, entry]));
      }),
    ),
    changes: tenantEntityLoader(db, tenantId, SubprocessorChangeEntity),
    objections: new DataLoader((ids) =>
      inTenant<SubprocessorObjectionEntity[]>(ids, [], async (wellFormed) => {
        const own = principal?.role === 'PARTNER' ? { partnerKind: principal.kind as 'USER' | 'API_KEY', partnerId: principal.subjectId } : {};
        const rows = await withTenant(db, tenantId!, (tx) =>
          tx.find(SubprocessorObjectionEntity, { where: { changeId: In(wellFormed), ...own }, order: { createdAt: 'ASC', id: 'ASC' } }),
        );
        const byChange = new Map<string, SubprocessorObjectionEntity[]>();
        for (const row of rows) byChange.set(row.changeId, [...(byChange.get(row.changeId) ?? []), row]);
        return byChange;
      }),
    ),
    lastWebhookDeliveries: lastDeliveryLoader(db, tenantId),
    noticeDeliveries: noticeDeliveriesLoader(db, tenantId),
    fanoutSizes: fanoutSizesLoader(db, tenantId),
    ownerNames: ownerNamesLoader(directory, tenantId),
  };
}
