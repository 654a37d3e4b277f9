import { Field, Int, ObjectType } from 'type-graphql';
import { PageInfo } from '@compliance-graph/federation';
import { AccessReviewItemEntity } from './access-review-item.entity';

@ObjectType('AccessReviewItemConnection')
export class AccessReviewItemConnection {
  @Field(() => [AccessReviewItemEntity])
  nodes!: AccessReviewItemEntity[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  totalCount!: number;
}

@ObjectType('AccessReviewSummary')
export class AccessReviewSummary {
  @Field(() => Int)
  total!: number;

  @Field(() => Int)
  kept!: number;

  @Field(() => Int)
  revoked!: number;

  @Field(() => Int)
  changed!: number;

  @Field(() => Int, { description: 'undecided; kept at completion, and marked so in the report' })
  pending!: number;
}
