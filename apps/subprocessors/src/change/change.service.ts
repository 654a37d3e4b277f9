import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { badUserInput, conflict, notFound, type Principal } from '@compliance-graph/auth';
import { isUuid, withTenant } from '@compliance-graph/db';
import { textChecker } from '@compliance-graph/federation';
import { actorOf, type Caller } from '@compliance-graph/outbox';
import type { Clock } from '../clock';
import { withUniqueConflicts } from '../conflicts';
import type { IdentityDirectory, TenantSettings } from '../identity-directory/identity-directory';
import { SUBPROCESSORS_INPUT_LIMITS } from '../input-limits';
import { entriesById } from '../register/register.store';
import { SubprocessorRecord, SubprocessorStatus, type SubprocessorFields } from '../subprocessor/subprocessor.entity';
import { subprocessorFields } from '../subprocessor/subprocessor-fields';
import { SubprocessorChangeEntity, SubprocessorChangeKind, SubprocessorChangeStatus } from './change.entity';
import type { AnnounceChangeInput } from './change.inputs';
import { SYSTEM_CALLER, makeEffective, recordTransition } from './change-transitions';

const DAY_MS = 86_400_000;
/** The shortest objection window the contract allows, unless the change takes effect sooner. */
const MIN_OBJECTION_WINDOW_MS = 14 * DAY_MS;
/**
 * With a notice of 0 a change may be "effective now": the client's now is a little behind ours
 * when the request arrives, so up to this much in the past counts as now (and is stored as now).
 */
const NOW_TOLERANCE_MS = 5 * 60_000;

const text = textChecker(SUBPROCESSORS_INPUT_LIMITS);

const ONE_ANNOUNCED = { changes_one_announced: 'This subprocessor already has an announced change; cancel it or wait until it is effective' };

/** What an announcement asks for, checked before anything is read or written. */
interface Announcement {
  kind: SubprocessorChangeKind;
  subprocessorId: string | null;
  fields: SubprocessorFields | null;
}

function announcement(input: AnnounceChangeInput): Announcement {
  const needsId = input.kind !== SubprocessorChangeKind.ADDED;
  const needsEntry = input.kind !== SubprocessorChangeKind.REMOVED;
  if (needsId && !input.subprocessorId) throw badUserInput(`input.subprocessorId is required for ${input.kind}`);
  if (!needsId && input.subprocessorId) throw badUserInput('input.subprocessorId must not be given for ADDED (the change creates the entry)');
  if (needsId && !isUuid(input.subprocessorId!)) throw badUserInput('input.subprocessorId must be a UUID');
  if (needsEntry && !input.entry) throw badUserInput(`input.entry is required for ${input.kind}`);
  if (!needsEntry && input.entry) throw badUserInput('input.entry must not be given for REMOVED');
  return { kind: input.kind, subprocessorId: input.subprocessorId ?? null, fields: input.entry ? subprocessorFields(input.entry, 'input.entry') : null };
}

/** When the change takes effect and until when partners may object, by the contract's rules; BAD_USER_INPUT naming the field otherwise. */
function schedule(input: AnnounceChangeInput, tenant: TenantSettings, now: Date): { effectiveAt: Date; objectionDeadline: Date } {
  const earliest = now.getTime() + tenant.subprocessorNoticeDays * DAY_MS;
  const requested = input.effectiveAt.getTime();
  const tolerance = tenant.subprocessorNoticeDays === 0 ? NOW_TOLERANCE_MS : 0;
  if (Number.isNaN(requested) || requested < earliest - tolerance) {
    throw badUserInput(
      `input.effectiveAt must be at least ${tenant.subprocessorNoticeDays} days after now (the tenant's notice period): on or after ${new Date(earliest).toISOString()}`,
    );
  }
  const effectiveAt = new Date(Math.max(requested, now.getTime()));
  if (!input.objectionDeadline) return { effectiveAt, objectionDeadline: effectiveAt };
  const earliestDeadline = now.getTime() + Math.min(MIN_OBJECTION_WINDOW_MS, effectiveAt.getTime() - now.getTime());
  const deadline = input.objectionDeadline.getTime();
  if (Number.isNaN(deadline) || deadline < earliestDeadline || deadline > effectiveAt.getTime()) {
    throw badUserInput(`input.objectionDeadline must lie between ${new Date(earliestDeadline).toISOString()} and effectiveAt (${effectiveAt.toISOString()})`);
  }
  return { effectiveAt, objectionDeadline: input.objectionDeadline };
}

const sameFields = (a: SubprocessorFields, b: SubprocessorFields) => JSON.stringify(a) === JSON.stringify(b);

/** Announced changes of the register: notice, objection window, cancellation, and immediate effect where the notice allows it. */
export class ChangeService {
  constructor(
    private readonly db: DataSource,
    private readonly directory: IdentityDirectory,
    private readonly clock: Clock,
  ) {}

  /** The caller's changes, newest announcement first; `since`: those announced, effective or cancelled at or after it. */
  list(principal: Principal, status?: SubprocessorChangeStatus | null, since?: Date | null): Promise<SubprocessorChangeEntity[]> {
    return withTenant(this.db, principal, (tx) => {
      const query = tx.createQueryBuilder(SubprocessorChangeEntity, 'c');
      if (status) query.andWhere('c.status = :status', { status });
      if (since) query.andWhere('(c.announcedAt >= :since OR c.effectiveAt >= :since OR c.cancelledAt >= :since)', { since });
      return query.orderBy('c.announcedAt', 'DESC').addOrderBy('c.id', 'DESC').getMany();
    });
  }

  async announce(principal: Principal, caller: Caller, input: AnnounceChangeInput): Promise<SubprocessorChangeEntity> {
    const wanted = announcement(input);
    const tenant = await this.tenantOf(principal.tenantId);
    const now = this.clock();
    const { effectiveAt, objectionDeadline } = schedule(input, tenant, now);
    return withUniqueConflicts(ONE_ANNOUNCED, () =>
      withTenant(this.db, principal, async (tx) => {
        const subprocessorId = wanted.subprocessorId ?? (await this.newEntry(tx, principal.tenantId));
        const before = wanted.kind === SubprocessorChangeKind.ADDED ? null : await this.currentFields(tx, tenant, subprocessorId, now);
        if (before && wanted.fields && sameFields(before, wanted.fields)) throw badUserInput('input.entry is the entry as it is: an UPDATED change must change something');
        const actor = actorOf(principal);
        const change = tx.create(SubprocessorChangeEntity, {
          id: randomUUID(),
          tenantId: principal.tenantId,
          subprocessorId,
          kind: wanted.kind,
          status: SubprocessorChangeStatus.ANNOUNCED,
          before,
          after: wanted.fields,
          announcedAt: now,
          effectiveAt,
          objectionDeadline,
          announcedByKind: actor.kind,
          announcedBy: actor.id,
          cancelledAt: null,
          cancelReason: null,
          announcementEventId: randomUUID(),
        });
        await tx.insert(SubprocessorChangeEntity, change);
        await recordTransition(tx, caller, change, { type: 'subprocessor.change_announced', tenantSlug: tenant.slug, at: now, eventId: change.announcementEventId! });
        if (effectiveAt.getTime() <= now.getTime()) await makeEffective(tx, caller, change, tenant.slug, now);
        return change;
      }),
    );
  }

  async cancel(principal: Principal, caller: Caller, id: string, reason: string): Promise<SubprocessorChangeEntity> {
    if (!isUuid(id)) throw badUserInput('id must be a UUID');
    const why = text(reason, 'reason');
    const tenant = await this.tenantOf(principal.tenantId);
    const now = this.clock();
    return withTenant(this.db, principal, async (tx) => {
      const change = await tx.findOne(SubprocessorChangeEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!change) throw notFound('No such subprocessor change');
      if (change.status !== SubprocessorChangeStatus.ANNOUNCED) throw conflict(`Only an ANNOUNCED change is cancelled; this one is ${change.status}`);
      if (change.effectiveAt.getTime() <= now.getTime()) throw conflict(`This change took effect at ${change.effectiveAt.toISOString()}`);
      Object.assign(change, { status: SubprocessorChangeStatus.CANCELLED, cancelledAt: now, cancelReason: why });
      await tx.update(SubprocessorChangeEntity, { id }, { status: change.status, cancelledAt: now, cancelReason: why });
      await recordTransition(tx, caller, change, { type: 'subprocessor.change_cancelled', tenantSlug: tenant.slug, at: now, reason: why });
      return change;
    });
  }

  private async tenantOf(tenantId: string): Promise<TenantSettings> {
    const tenant = await this.directory.tenant(tenantId);
    // A signed-in caller's tenant is always known to identity: anything else is a fault, not input.
    if (!tenant) throw new Error('identity does not know the caller tenant');
    return tenant;
  }

  private async newEntry(tx: EntityManager, tenantId: string): Promise<string> {
    const id = randomUUID();
    await tx.insert(SubprocessorRecord, { id, tenantId });
    return id;
  }

  /**
   * The entry's fields now, for an UPDATED or REMOVED change: an announced change of it that is
   * due is made effective first (the scheduler may not have reached it yet); one still pending
   * is a CONFLICT, as the unique index would make it.
   */
  private async currentFields(tx: EntityManager, tenant: TenantSettings, subprocessorId: string, now: Date): Promise<SubprocessorFields> {
    const pending = await tx.findOne(SubprocessorChangeEntity, {
      where: { subprocessorId, status: SubprocessorChangeStatus.ANNOUNCED },
      lock: { mode: 'pessimistic_write' },
    });
    if (pending && pending.effectiveAt.getTime() > now.getTime()) throw conflict(ONE_ANNOUNCED.changes_one_announced);
    if (pending) await makeEffective(tx, SYSTEM_CALLER, pending, tenant.slug, now);
    const [entry] = await entriesById(tx, [subprocessorId], now);
    if (!entry) throw notFound('No such subprocessor');
    if (entry.status !== SubprocessorStatus.ACTIVE) throw conflict(`Only an entry in the register is updated or removed; this one is ${entry.status}`);
    const { name, legalEntity, website, purpose, dataCategories, locations, transferMechanism } = entry;
    return { name, legalEntity, website, purpose, dataCategories, locations, transferMechanism };
  }
}
