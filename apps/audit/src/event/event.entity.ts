import { Column, Entity, PrimaryColumn } from 'typeorm';
import { Directive, Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { JSONObjectScalar } from '@compliance-graph/federation';
import type { ExportRecord } from '@compliance-graph/audit-log';
import { bigintAsNumber } from '@compliance-graph/db';

export enum ActorKind {
  USER = 'USER',
  API_KEY = 'API_KEY',
  SUPPORT = 'SUPPORT',
  SYSTEM = 'SYSTEM',
}
registerEnumType(ActorKind, { name: 'ActorKind' });


@Directive('@key(fields: "id")')
@ObjectType('AuditEvent')
@Entity({ name: 'events' })
export class AuditEventEntity {
  @Field(() => ID)
  @Column('uuid', { unique: true })
  id!: string;

  @PrimaryColumn('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @Field(() => Int, { description: "leaf index in the tenant's log, from 0, no gaps" })
  @PrimaryColumn('bigint', { transformer: bigintAsNumber })
  seq!: number;

  @Field({ description: 'when the action happened (from the producing service)' })
  @Column('timestamptz', { name: 'occurred_at' })
  occurredAt!: Date;

  @Field({ description: 'when the audit log appended it' })
  @Column('timestamptz', { name: 'recorded_at' })
  recordedAt!: Date;

  @Field()
  @Column('text')
  action!: string;

  @Field(() => ActorKind)
  @Column('text', { name: 'actor_kind' })
  actorKind!: ActorKind;

  @Field(() => ID, { nullable: true })
  @Column('uuid', { name: 'actor_id', nullable: true })
  actorId!: string | null;

  @Field()
  @Column('text', { name: 'subject_type' })
  subjectType!: string;

  @Field(() => ID)
  @Column('text', { name: 'subject_id' })
  subjectId!: string;

  @Field()
  @Column('text')
  service!: string;

  @Field(() => String, { nullable: true })
  @Column('text', { nullable: true })
  ip!: string | null;

  @Field(() => String, { nullable: true })
  @Column('text', { name: 'user_agent', nullable: true })
  userAgent!: string | null;

  @Field(() => String, { nullable: true })
  @Column('text', { nullable: true })
  reason!: string | null;

  @Field(() => JSONObjectScalar)
  @Column('jsonb')
  data!: Record<string, unknown>;

  @Column('bytea', { name: 'leaf_hash' })
  leafHashBytes!: Buffer;

  @Field({ name: 'leafHash' })
  get leafHash(): string {
    return this.leafHashBytes.toString('hex');
  }

  /** The export record: exactly what was hashed, plus the hash. */
  toExportRecord(): ExportRecord {
    return {
      id: this.id,
      tenantId: this.tenantId,
      seq: this.seq,
      occurredAt: this.occurredAt.toISOString(),
      recordedAt: this.recordedAt.toISOString(),
      action: this.action,
      actorKind: this.actorKind,
      actorId: this.actorId,
      subjectType: this.subjectType,
      subjectId: this.subjectId,
      service: this.service,
      ip: this.ip,
      userAgent: this.userAgent,
      reason: this.reason,
      data: this.data,
      leafHash: this.leafHash,
    };
  }
}
