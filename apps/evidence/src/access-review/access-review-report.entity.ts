import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { Directive, Field, ID, ObjectType } from 'type-graphql';

/**
 * The report of a completed access review, as evidence knows the review: its id, the outbox
 * message that brought the report, and the evidence item recording it. In the graph it is the
 * AccessReview entity, to which this subgraph contributes `evidence`; identity will own the
 * type's other fields. A review without a report is unknown here, as another tenant's is.
 */
@Directive('@key(fields: "id")')
@ObjectType('AccessReview')
@Entity({ name: 'access_review_reports' })
export class AccessReviewReportEntity {
  /** The review's id (identity's). */
  @Field(() => ID)
  @PrimaryColumn('uuid', { name: 'review_id' })
  id!: string;

  @PrimaryColumn('uuid', { name: 'tenant_id' })
  tenantId!: string;

  /** The outbox message that brought the report. */
  @Column('uuid', { name: 'event_id' })
  eventId!: string;

  @Column('uuid', { name: 'evidence_id' })
  evidenceId!: string;

  @CreateDateColumn({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;
}
