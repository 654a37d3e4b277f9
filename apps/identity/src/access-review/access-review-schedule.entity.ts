import { Column, Entity, PrimaryColumn } from 'typeorm';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';

/** What happens to a scheduled review still in progress at its due date; never "revoke what nobody decided". */
export enum AccessReviewDefaultAction {
  NONE = 'NONE',
  COMPLETE_KEEP_UNDECIDED = 'COMPLETE_KEEP_UNDECIDED',
}
registerEnumType(AccessReviewDefaultAction, {
  name: 'AccessReviewDefaultAction',
  valuesConfig: {
    NONE: { description: 'the review stays open (and overdue) until someone completes or cancels it' },
    COMPLETE_KEEP_UNDECIDED: { description: 'the review completes by itself: decisions apply, undecided items are kept and marked so in the report' },
  },
});

/** A tenant's recurring access reviews: one starts every `intervalDays`, due `dueDays` later. */
@ObjectType('AccessReviewSchedule')
@Entity({ name: 'access_review_schedules' })
export class AccessReviewScheduleEntity {
  @PrimaryColumn('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @Field(() => Int)
  @Column('integer', { name: 'interval_days' })
  intervalDays!: number;

  @Field(() => Int)
  @Column('integer', { name: 'due_days' })
  dueDays!: number;

  @Field(() => AccessReviewDefaultAction)
  @Column('text', { name: 'default_action' })
  defaultAction!: AccessReviewDefaultAction;

  @Field({ description: 'when the scheduler starts the next review' })
  @Column('timestamptz', { name: 'next_start_at' })
  nextStartAt!: Date;

  /** The OWNER or ADMIN who set the schedule; the reviews it starts are theirs. */
  @Column('uuid', { name: 'set_by' })
  setById!: string;

  @Field()
  @Column('timestamptz', { name: 'set_at' })
  setAt!: Date;
}
