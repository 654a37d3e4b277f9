import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { Directive, Field, ID, ObjectType, registerEnumType } from 'type-graphql';

export enum EvidenceStatus {
  DRAFT = 'DRAFT',
  SUBMITTED = 'SUBMITTED',
  APPROVED = 'APPROVED',
  REJECTED = 'REJECTED',
}
registerEnumType(EvidenceStatus, { name: 'EvidenceStatus' });

export enum EvidenceSourceKind {
  UPLOAD = 'UPLOAD',
  URL = 'URL',
  SYSTEM = 'SYSTEM',
  MANUAL = 'MANUAL',
}
registerEnumType(EvidenceSourceKind, { name: 'EvidenceSourceKind' });

@Directive('@key(fields: "id")')
@ObjectType('Evidence')
@Entity({ name: 'evidence' })
export class EvidenceEntity {
  @Field(() => ID)
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @Field()
  @Column('text')
  title!: string;

  @Field(() => String, { nullable: true })
  @Column('text', { nullable: true })
  description!: string | null;

  @Field(() => [String], { description: 'e.g. "ISO27001:A.5.15", "SOC2:CC6.1"' })
  @Column('text', { name: 'control_refs', array: true })
  controlRefs!: string[];

  @Field(() => EvidenceSourceKind)
  @Column('text', { name: 'source_kind' })
  sourceKind!: EvidenceSourceKind;

  @Field({ description: 'URL, "<system>:<object id>", file name, or a note' })
  @Column('text', { name: 'source_ref' })
  sourceRef!: string;

  @Field({ description: 'when the fact was true / collected, not upload time' })
  @Column('timestamptz', { name: 'collected_at' })
  collectedAt!: Date;

  @Field(() => Date, { nullable: true })
  @Column('timestamptz', { name: 'valid_until', nullable: true })
  validUntil!: Date | null;

  @Field(() => EvidenceStatus)
  @Column('text')
  status!: EvidenceStatus;

  @Field()
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column('uuid', { name: 'created_by' })
  createdById!: string;
}
