import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { PageInfo } from '@compliance-graph/federation';
import { EvidenceEntity, EvidenceSourceKind, EvidenceStatus } from './evidence.entity';

@ObjectType('EvidenceConnection')
export class EvidenceConnection {
  @Field(() => [EvidenceEntity])
  nodes!: EvidenceEntity[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  totalCount!: number;
}

@InputType('EvidenceFilter')
export class EvidenceFilter {
  @Field(() => EvidenceStatus, { nullable: true })
  status?: EvidenceStatus | null;

  @Field(() => String, { nullable: true, description: 'items that cite this control reference' })
  controlRef?: string | null;

  @Field(() => String, { nullable: true, description: 'case-insensitive, in title, description and source reference' })
  search?: string | null;

  @Field(() => Date, { nullable: true, description: 'items whose validity ends before this time (expired ones included): what needs renewal' })
  expiringBefore?: Date | null;
}

@InputType('CreateEvidenceInput')
export class CreateEvidenceInput {
  @Field()
  title!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => [String])
  controlRefs!: string[];

  @Field(() => EvidenceSourceKind)
  sourceKind!: EvidenceSourceKind;

  @Field()
  sourceRef!: string;

  @Field()
  collectedAt!: Date;

  @Field(() => Date, { nullable: true })
  validUntil?: Date | null;

  @Field(() => ID, { nullable: true, description: 'required when sourceKind is UPLOAD' })
  uploadId?: string | null;
}
