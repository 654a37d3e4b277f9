import { Column, Entity, PrimaryColumn } from 'typeorm';
import { Directive, Field, ID, ObjectType, registerEnumType } from 'type-graphql';

export enum TransferMechanism {
  ADEQUACY_DECISION = 'ADEQUACY_DECISION',
  SCC = 'SCC',
  BCR = 'BCR',
  DEROGATION = 'DEROGATION',
  NOT_APPLICABLE = 'NOT_APPLICABLE',
}
registerEnumType(TransferMechanism, { name: 'TransferMechanism' });

export enum SubprocessorStatus {
  PLANNED = 'PLANNED',
  ACTIVE = 'ACTIVE',
  RETIRED = 'RETIRED',
}
registerEnumType(SubprocessorStatus, { name: 'SubprocessorStatus' });

/** One entry of a tenant's subprocessor register. */
@Directive('@key(fields: "id")')
@ObjectType('Subprocessor')
@Entity({ name: 'subprocessors' })
export class SubprocessorEntity {
  @Field(() => ID)
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @Field()
  @Column('text')
  name!: string;

  @Field(() => String, { nullable: true })
  @Column('text', { name: 'legal_entity', nullable: true })
  legalEntity!: string | null;

  @Field(() => String, { nullable: true })
  @Column('text', { nullable: true })
  website!: string | null;

  @Field()
  @Column('text')
  purpose!: string;

  @Field(() => [String])
  @Column('text', { name: 'data_categories', array: true })
  dataCategories!: string[];

  @Field(() => [String], { description: 'ISO 3166-1 alpha-2 codes of processing locations' })
  @Column('text', { array: true })
  locations!: string[];

  @Field(() => TransferMechanism)
  @Column('text', { name: 'transfer_mechanism' })
  transferMechanism!: TransferMechanism;

  @Field(() => SubprocessorStatus)
  @Column('text')
  status!: SubprocessorStatus;

  @Field(() => Date, { nullable: true, description: 'when the entry took (or takes) effect in the register' })
  @Column('timestamptz', { name: 'active_from', nullable: true })
  activeFrom!: Date | null;

  @Field(() => Date, { nullable: true, description: 'when the entry left (or leaves) the register' })
  @Column('timestamptz', { name: 'active_until', nullable: true })
  activeUntil!: Date | null;
}
