import { Column, Entity, PrimaryColumn } from 'typeorm';
import { Directive, Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { JSONObjectScalar } from '@compliance-graph/federation';
import type { SubprocessorFields } from '../subprocessor/subprocessor.entity';

export enum SubprocessorChangeKind {
  ADDED = 'ADDED',
  UPDATED = 'UPDATED',
  REMOVED = 'REMOVED',
}
registerEnumType(SubprocessorChangeKind, { name: 'SubprocessorChangeKind' });

export enum SubprocessorChangeStatus {
  ANNOUNCED = 'ANNOUNCED',
  EFFECTIVE = 'EFFECTIVE',
  CANCELLED = 'CANCELLED',
}
registerEnumType(SubprocessorChangeStatus, { name: 'SubprocessorChangeStatus' });

/** An announced change of one register entry, with its notice and objection window; history, never deleted. */
@Directive('@key(fields: "id")')
@ObjectType('SubprocessorChange')
@Entity({ name: 'changes' })
export class SubprocessorChangeEntity {
  @Field(() => ID)
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @Column('uuid', { name: 'subprocessor_id' })
  subprocessorId!: string;

  @Field(() => SubprocessorChangeKind)
  @Column('text')
  kind!: SubprocessorChangeKind;

  @Field(() => SubprocessorChangeStatus)
  @Column('text')
  status!: SubprocessorChangeStatus;

  @Field(() => JSONObjectScalar, { nullable: true, description: 'the entry before the change (null for ADDED)' })
  @Column('jsonb', { nullable: true })
  before!: SubprocessorFields | null;

  @Field(() => JSONObjectScalar, { nullable: true, description: 'the entry after the change (null for REMOVED)' })
  @Column('jsonb', { nullable: true })
  after!: SubprocessorFields | null;

  @Field()
  @Column('timestamptz', { name: 'announced_at' })
  announcedAt!: Date;

  @Field()
  @Column('timestamptz', { name: 'effective_at' })
  effectiveAt!: Date;

  @Field()
  @Column('timestamptz', { name: 'objection_deadline' })
  objectionDeadline!: Date;

  @Column('text', { name: 'announced_by_kind' })
  announcedByKind!: string;

  @Column('uuid', { name: 'announced_by', nullable: true })
  announcedBy!: string | null;

  @Column('timestamptz', { name: 'cancelled_at', nullable: true })
  cancelledAt!: Date | null;

  @Column('text', { name: 'cancel_reason', nullable: true })
  cancelReason!: string | null;

  /** The announcement's register event (and its deliveries' event id); null only for rows that predate it. */
  @Column('uuid', { name: 'announcement_event_id', nullable: true })
  announcementEventId!: string | null;
}
