import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { PageInfo } from '@compliance-graph/federation';
import { AuditEventEntity } from '../event/event.entity';

@ObjectType('AuditEventConnection')
export class AuditEventConnection {
  @Field(() => [AuditEventEntity])
  nodes!: AuditEventEntity[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  totalCount!: number;
}

@InputType('AuditEventFilter')
export class AuditEventFilter {
  @Field(() => String, { nullable: true, description: 'exact, or a prefix ending in ".", e.g. "membership."' })
  action?: string | null;

  @Field(() => ID, { nullable: true })
  actorId?: string | null;

  @Field(() => String, { nullable: true })
  subjectType?: string | null;

  @Field(() => ID, { nullable: true })
  subjectId?: string | null;

  @Field(() => Date, { nullable: true })
  from?: Date | null;

  @Field(() => Date, { nullable: true })
  to?: Date | null;
}

@ObjectType('AuditCheckpoint')
export class AuditCheckpoint {
  @Field()
  origin!: string;

  @Field(() => Int)
  treeSize!: number;

  @Field({ description: 'hex' })
  rootHash!: string;

  @Field({ description: 'the exact signed text' })
  body!: string;

  @Field({ description: 'base64 Ed25519 signature over body' })
  signature!: string;

  @Field()
  keyId!: string;

  @Field()
  issuedAt!: Date;
}

@ObjectType('AuditInclusionProof')
export class AuditInclusionProof {
  @Field(() => ID)
  eventId!: string;

  @Field(() => Int)
  leafIndex!: number;

  @Field(() => Int)
  treeSize!: number;

  @Field()
  leafHash!: string;

  @Field(() => [String], { description: 'hex, RFC 9162 order' })
  auditPath!: string[];

  @Field(() => AuditCheckpoint)
  checkpoint!: AuditCheckpoint;
}

@ObjectType('AuditConsistencyProof')
export class AuditConsistencyProof {
  @Field(() => Int)
  fromSize!: number;

  @Field(() => Int)
  toSize!: number;

  @Field(() => [String])
  path!: string[];
}

@ObjectType('AuditVerification')
export class AuditVerification {
  @Field()
  ok!: boolean;

  @Field(() => Int)
  eventsChecked!: number;

  @Field(() => Int)
  treeSize!: number;

  @Field()
  rootHash!: string;

  @Field(() => Int, { nullable: true })
  firstInvalidSeq!: number | null;
}
