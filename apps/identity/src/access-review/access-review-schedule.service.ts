import { IsNull, LessThanOrEqual, type DataSource } from 'typeorm';
import { CodedError, badUserInput, type Principal } from '@compliance-graph/auth';
import { withTenant } from '@compliance-graph/db';
import type { Caller } from '@compliance-graph/outbox';
import { recordIdentityAudit } from '../audit';
import { AccessReviewDefaultAction, AccessReviewScheduleEntity } from './access-review-schedule.entity';
import { AccessReviewEntity, AccessReviewStatus } from './access-review.entity';
import type { AccessReviewService } from './access-review.service';
import { reviewsDueForDefaultAction, tenantsWithDueSchedules } from './access-review.store';

const DAY_MS = 86_400_000;
export const SCHEDULE_INTERVAL_DAYS = { min: 7, max: 366 } as const;
/** Tenants (or reviews) one scheduler pass takes on; the rest wait for the next pass. */
const PASS_LIMIT = 100;
/** The scheduler acts for nobody in particular: its audit records name the SYSTEM as actor. */
const SCHEDULER: Caller = { clientIp: null, userAgent: null };

export interface ScheduleInput {
  intervalDays: number;
  dueDays: number;
  defaultAction: AccessReviewDefaultAction;
  firstStartAt?: Date | null;
}

export interface SchedulerPass {
  started: number;
  completed: number;
  failed: number;
}

/**
 * Recurring access reviews. An OWNER or ADMIN sets the tenant's schedule; the scheduler starts
 * each slot's review (as the setter's review, audited as the system's act) and applies the
 * default action to scheduled reviews at their due date.
 */
export class AccessReviewScheduleService {
  constructor(
    private readonly db: DataSource,
    private readonly reviews: AccessReviewService,
  ) {}

  get(principal: Principal): Promise<AccessReviewScheduleEntity | null> {
    return withTenant(this.db, principal, (tx) => tx.findOneBy(AccessReviewScheduleEntity, { tenantId: principal.tenantId }));
  }

  /**
   * Sets (or replaces) the schedule. The first review starts at `firstStartAt`; without it, a
   * replaced schedule keeps its next start and a new one starts `intervalDays` from now.
   */
  async set(principal: Principal, caller: Caller, input: ScheduleInput): Promise<AccessReviewScheduleEntity> {
    const { intervalDays, dueDays, defaultAction, firstStartAt } = input;
    if (intervalDays < SCHEDULE_INTERVAL_DAYS.min || intervalDays > SCHEDULE_INTERVAL_DAYS.max) {
      throw badUserInput(`intervalDays must be between ${SCHEDULE_INTERVAL_DAYS.min} and ${SCHEDULE_INTERVAL_DAYS.max}`);
    }
    if (dueDays < 1 || dueDays > intervalDays) throw badUserInput('dueDays must be between 1 and intervalDays, so a review is due before the next one starts');
    const now = new Date();
    if (firstStartAt && (firstStartAt < now || firstStartAt.getTime() - now.getTime() > SCHEDULE_INTERVAL_DAYS.max * DAY_MS)) {
      throw badUserInput(`firstStartAt must be within the next ${SCHEDULE_INTERVAL_DAYS.max} days`);
    }
    return withTenant(this.db, principal, async (tx) => {
      const current = await tx.findOne(AccessReviewScheduleEntity, { where: { tenantId: principal.tenantId }, lock: { mode: 'pessimistic_write' } });
      const schedule = tx.create(AccessReviewScheduleEntity, {
        tenantId: principal.tenantId,
        intervalDays,
        dueDays,
        defaultAction,
        nextStartAt: firstStartAt ?? current?.nextStartAt ?? new Date(now.getTime() + intervalDays * DAY_MS),
        setById: principal.subjectId,
        setAt: now,
      });
      await tx.upsert(AccessReviewScheduleEntity, schedule, ['tenantId']);
      await recordIdentityAudit(tx, caller, {
        tenantId: principal.tenantId,
        action: 'access_review.scheduled',
        subjectType: 'Tenant',
        subjectId: principal.tenantId,
        data: { intervalDays, dueDays, defaultAction, nextStartAt: schedule.nextStartAt.toISOString(), previous: current ? { intervalDays: current.intervalDays, dueDays: current.dueDays, defaultAction: current.defaultAction } : null },
      });
      return schedule;
    });
  }

  /** Ends the schedule; reviews it started stay as they are. False when there was none. */
  clear(principal: Principal, caller: Caller): Promise<boolean> {
    return withTenant(this.db, principal, async (tx) => {
      const { affected } = await tx.delete(AccessReviewScheduleEntity, { tenantId: principal.tenantId });
      if (!affected) return false;
      await recordIdentityAudit(tx, caller, { tenantId: principal.tenantId, action: 'access_review.schedule_cleared', subjectType: 'Tenant', subjectId: principal.tenantId });
      return true;
    });
  }

  /**
   * One scheduler pass. The worker role only finds the due tenants and reviews; each start and
   * each default action then runs in that tenant's transaction on the request pool, so row-level
   * security scopes it like a request. The row is taken with SKIP LOCKED and the due condition
   * checked again under the lock: a second instance skips it, and a slot whose start committed
   * has moved on. A slot missed while the service was down starts once, and the next slot is the
   * first one still ahead.
   */
  async runDue(workerDb: DataSource): Promise<SchedulerPass> {
    const now = new Date();
    const pass: SchedulerPass = { started: 0, completed: 0, failed: 0 };
    for (const tenantId of await tenantsWithDueSchedules(workerDb, now, PASS_LIMIT)) {
      const started = await withTenant(this.db, tenantId, async (tx) => {
        const schedule = await tx.findOne(AccessReviewScheduleEntity, {
          where: { tenantId, nextStartAt: LessThanOrEqual(now) },
          lock: { mode: 'pessimistic_write', onLocked: 'skip_locked' },
        });
        if (!schedule) return false;
        const slot = schedule.nextStartAt;
        await this.reviews.begin(
          tx,
          SCHEDULER,
          {
            tenantId,
            createdById: schedule.setById,
            title: `Scheduled access review of ${slot.toISOString().slice(0, 10)}`,
            dueAt: new Date(now.getTime() + schedule.dueDays * DAY_MS),
            defaultAction: schedule.defaultAction,
            scheduledFor: slot,
          },
          now,
        );
        await tx.update(AccessReviewScheduleEntity, { tenantId }, { nextStartAt: nextSlotAfter(slot, schedule.intervalDays, now) });
        return true;
      });
      if (started) pass.started++;
    }
    for (const { tenantId, id } of await reviewsDueForDefaultAction(workerDb, now, PASS_LIMIT)) {
      try {
        const completed = await withTenant(this.db, tenantId, async (tx) => {
          const review = await tx.findOne(AccessReviewEntity, {
            where: { id, status: AccessReviewStatus.IN_PROGRESS, dueAt: LessThanOrEqual(now), defaultActionFailure: IsNull() },
            lock: { mode: 'pessimistic_write', onLocked: 'skip_locked' },
          });
          if (!review) return false;
          await this.reviews.finish(tx, SCHEDULER, id, review.createdById);
          return true;
        });
        if (completed) pass.completed++;
      } catch (error) {
        if (!(error instanceof CodedError)) throw error;
        await this.recordDefaultActionFailure(tenantId, id, error.message);
        pass.failed++;
      }
    }
    return pass;
  }

  /** A completion the rules refuse (the last OWNER) leaves the review open and says why, once. */
  private recordDefaultActionFailure(tenantId: string, reviewId: string, failure: string): Promise<void> {
    return withTenant(this.db, tenantId, async (tx) => {
      await tx.update(AccessReviewEntity, { id: reviewId }, { defaultActionFailure: failure.slice(0, 2000) });
      await recordIdentityAudit(tx, SCHEDULER, {
        tenantId,
        action: 'access_review.default_action_failed',
        subjectType: 'AccessReview',
        subjectId: reviewId,
        reason: failure.slice(0, 2000),
      });
    });
  }
}

/** The first slot after `now` on the schedule's cadence from `slot`. */
export function nextSlotAfter(slot: Date, intervalDays: number, now: Date): Date {
  const step = intervalDays * DAY_MS;
  const missed = Math.floor((now.getTime() - slot.getTime()) / step) + 1;
  return new Date(slot.getTime() + Math.max(missed, 1) * step);
}
