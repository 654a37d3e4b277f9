import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { Directive, Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { AccessReviewDefaultAction } from './access-review-schedule.entity';

export enum AccessReviewStatus {
  IN_PROGRESS = 'IN_PROGRESS',
  COMPLETED = 'COMPLETED',
  CANCELLED = 'CANCELLED',
}
registerEnumType(AccessReviewStatus, { name: 'AccessReviewStatus' });

/** A campaign over the tenant's access as it was at its start (the items), decided by OWNER and ADMIN. */
@Directive('@key(fields: "id")')
@ObjectType('AccessReview')
@Entity({ name: 'access_reviews' })
export class AccessReviewEntity {
  @Field(() => ID)
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @Field()
  @Column('text')
  title!: string;

  @Field(() => AccessReviewStatus)
  @Column('text')
  status!: AccessReviewStatus;

  @Column('uuid', { name: 'created_by' })
  createdById!: string;

  @Field()
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Field()
  @Column('timestamptz', { name: 'due_at' })
  dueAt!: Date;

  /** SHA-256 of the RFC 8785 JSON of the scope (README, "Access reviews"), also in access_review.started. */
  @Field({ description: "SHA-256 of the scope frozen at the start (RFC 8785 JSON of the items sorted by id, each {id, subjectType, subjectId, roleAtStart, flags}); the access_review.started audit event carries it too" })
  @Column('text', { name: 'scope_digest' })
  scopeDigest!: string;

  @Column('uuid', { name: 'previous_review_id', nullable: true })
  previousReviewId!: string | null;

  @Field(() => Date, { nullable: true })
  @Column('timestamptz', { name: 'completed_at', nullable: true })
  completedAt!: Date | null;

  @Column('uuid', { name: 'completed_by', nullable: true })
  completedById!: string | null;

  @Column('timestamptz', { name: 'cancelled_at', nullable: true })
  cancelledAt!: Date | null;

  @Column('uuid', { name: 'cancelled_by', nullable: true })
  cancelledById!: string | null;

  @Field(() => AccessReviewDefaultAction, { description: 'what happens at the due date: NONE for a review started by hand, the schedule\'s action for one it started' })
  @Column('text', { name: 'default_action' })
  defaultAction!: AccessReviewDefaultAction;

  @Field(() => Date, { nullable: true, description: 'the schedule slot this review was started for; null when started by hand' })
  @Column('timestamptz', { name: 'scheduled_for', nullable: true })
  scheduledFor!: Date | null;

  @Field(() => String, { nullable: true, description: 'why the default action could not complete the review at its due date (it then stays open)' })
  @Column('text', { name: 'default_action_failure', nullable: true })
  defaultActionFailure!: string | null;
}
