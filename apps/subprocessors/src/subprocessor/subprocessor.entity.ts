import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
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

/** An entry's fields as a change carries them (its `before` and `after`): SubprocessorInput, validated. */
export interface SubprocessorFields {
  name: string;
  legalEntity: string | null;
  website: string | null;
  purpose: string;
  dataCategories: string[];
  locations: string[];
  transferMechanism: TransferMechanism;
}

/**
 * An entry's identity in the register: its fields exist only in its changes, so the register at
 * any time is computed from one history (register.store.ts).
 */
@Entity({ name: 'subprocessors' })
export class SubprocessorRecord {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

export type SubprocessorValues = SubprocessorFields & {
  id: string;
  tenantId: string;
  status: SubprocessorStatus;
  activeFrom: Date | null;
  activeUntil: Date | null;
};

/** One entry of a tenant's subprocessor register, as of a point in time. */
@Directive('@key(fields: "id")')
@ObjectType('Subprocessor')
export class SubprocessorEntity implements SubprocessorFields {
  @Field(() => ID)
  id!: string;

  tenantId!: string;

  @Field()
  name!: string;

  @Field(() => String, { nullable: true })
  legalEntity!: string | null;

  @Field(() => String, { nullable: true })
  website!: string | null;

  @Field()
  purpose!: string;

  @Field(() => [String])
  dataCategories!: string[];

  @Field(() => [String], { description: 'ISO 3166-1 alpha-2 codes of processing locations' })
  locations!: string[];

  @Field(() => TransferMechanism)
  transferMechanism!: TransferMechanism;

  @Field(() => SubprocessorStatus)
  status!: SubprocessorStatus;

  @Field(() => Date, { nullable: true, description: 'when the entry took (or takes) effect in the register' })
  activeFrom!: Date | null;

  @Field(() => Date, { nullable: true, description: 'when the entry left (or leaves) the register' })
  activeUntil!: Date | null;

  static of(values: SubprocessorValues): SubprocessorEntity {
    return Object.assign(new SubprocessorEntity(), values);
  }
}
