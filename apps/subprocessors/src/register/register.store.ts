import type { EntityManager } from 'typeorm';
import { SubprocessorEntity, SubprocessorStatus, type SubprocessorFields } from '../subprocessor/subprocessor.entity';

interface RegisterRow {
  id: string;
  tenantId: string;
  fields: SubprocessorFields;
  status: SubprocessorStatus;
  activeFrom: Date | null;
  activeUntil: Date | null;
}

/**
 * The entries at `at`, computed from the change history alone, in one statement whatever its
 * length. Per entry, the change that decides it: the latest change not cancelled that is in
 * effect at `at` (ACTIVE, or RETIRED after a removal, which keeps the entry as it was); else its
 * announced addition (PLANNED); else its cancelled addition (RETIRED, never in the register).
 * activeFrom and activeUntil are the addition's and the removal's effectiveAt, announced ones
 * included. A change counts from its effectiveAt, whether or not the scheduler has marked it yet.
 */
async function entriesAt(tx: EntityManager, at: Date, filter: { ids?: readonly string[]; activeOnly: boolean }): Promise<SubprocessorEntity[]> {
  const rows: RegisterRow[] = await tx.query(
    `WITH history AS (
       SELECT c.subprocessor_id, c.tenant_id, c.kind, c.before, c.after, c.effective_at, c.announced_at, c.id,
              CASE WHEN c.status = 'CANCELLED' THEN 2 WHEN c.effective_at <= $1 THEN 0 ELSE 1 END AS rank,
              min(c.effective_at) FILTER (WHERE c.kind = 'ADDED' AND c.status <> 'CANCELLED') OVER entry AS active_from,
              min(c.effective_at) FILTER (WHERE c.kind = 'REMOVED' AND c.status <> 'CANCELLED') OVER entry AS active_until
         FROM changes c
        WHERE $2::uuid[] IS NULL OR c.subprocessor_id = ANY($2::uuid[])
       WINDOW entry AS (PARTITION BY c.subprocessor_id)
     ), deciding AS (
       SELECT DISTINCT ON (subprocessor_id) *
         FROM history
        ORDER BY subprocessor_id, rank, CASE WHEN rank = 0 THEN effective_at END DESC, effective_at, announced_at DESC, id
     ), entries AS (
       SELECT subprocessor_id AS id, tenant_id AS "tenantId",
              CASE WHEN kind = 'REMOVED' THEN before ELSE after END AS fields,
              CASE WHEN rank = 0 AND kind = 'REMOVED' THEN 'RETIRED' WHEN rank = 0 THEN 'ACTIVE' WHEN rank = 1 THEN 'PLANNED' ELSE 'RETIRED' END AS status,
              active_from AS "activeFrom", active_until AS "activeUntil"
         FROM deciding
     )
     SELECT * FROM entries WHERE NOT $3::boolean OR status = 'ACTIVE' ORDER BY fields->>'name', id`,
    [at, filter.ids ?? null, filter.activeOnly],
  );
  return rows.map(({ fields, ...row }) => SubprocessorEntity.of({ ...fields, ...row }));
}

/** The register at `at`: the entries in effect then, by name. */
export const registerAt = (tx: EntityManager, at: Date) => entriesAt(tx, at, { activeOnly: true });

/** These entries as of `at`, whatever their status (an id without changes is absent). */
export const entriesById = (tx: EntityManager, ids: readonly string[], at: Date) => entriesAt(tx, at, { ids, activeOnly: false });
