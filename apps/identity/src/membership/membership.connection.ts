import { Field, Int, ObjectType } from 'type-graphql';
import { PageInfo } from '@compliance-graph/federation';
import { MembershipEntity } from './membership.entity';

@ObjectType('MembershipConnection')
export class MembershipConnection {
  @Field(() => [MembershipEntity])
  nodes!: MembershipEntity[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  totalCount!: number;
}
