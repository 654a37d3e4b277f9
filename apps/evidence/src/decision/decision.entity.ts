import { Column, Entity, PrimaryColumn } from 'typeorm';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';

export enum EvidenceDecisionKind {
  APPROVE = 'APPROVE',
  REJECT = 'REJECT',
}
registerEnumType(EvidenceDecisionKind, { name: 'EvidenceDecisionKind' });

/** A reviewer's decision on an item, kept when later revisions send the item back to DRAFT. */
@ObjectType('EvidenceDecision')
@Entity({ name: 'decisions' })
export class DecisionEntity {
  @Field(() => ID)
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @Column('uuid', { name: 'evidence_id' })
  evidenceId!: string;

  /** The revision the decision was about (null for an item without content). */
  @Column('integer', { name: 'revision_version', nullable: true })
  revisionVersion!: number | null;

  @Field(() => EvidenceDecisionKind)
  @Column('text')
  decision!: EvidenceDecisionKind;

  @Field()
  @Column('text')
  rationale!: string;

  @Field()
  @Column('timestamptz', { name: 'decided_at' })
  decidedAt!: Date;

  @Column('uuid', { name: 'decided_by' })
  decidedById!: string;
}
