import DataLoader from 'dataloader';
import { In, type DataSource } from 'typeorm';
import type { Principal } from '@compliance-graph/auth';
import { isUuid, tenantEntityLoader, withTenant } from '@compliance-graph/db';
import { SubprocessorChangeEntity } from './change/change.entity';
import type { Clock } from './clock';
import { SubprocessorObjectionEntity } from './objection/objection.entity';
import { entriesById } from './register/register.store';
import type { SubprocessorEntity } from './subprocessor/subprocessor.entity';

export interface SubprocessorsLoaders {
  /** Entries as they are now, whatever their status. */
  subprocessors: DataLoader<string, SubprocessorEntity | null>;
  changes: DataLoader<string, SubprocessorChangeEntity | null>;
  /** A change's objections the caller may see: all for the tenant's staff, its own for a partner. */
  objections: DataLoader<string, SubprocessorObjectionEntity[]>;
}

export function createSubprocessorsLoaders(db: DataSource, principal: Principal | undefined, clock: Clock): SubprocessorsLoaders {
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
  };
}
