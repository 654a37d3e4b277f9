import { Column, Entity, PrimaryColumn } from 'typeorm';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import type { Role } from '@compliance-graph/auth';
import { RoleEnum } from '../membership/membership.entity';

export enum AccessReviewDecision {
  KEEP = 'KEEP',
  REVOKE = 'REVOKE',
  CHANGE_ROLE = 'CHANGE_ROLE',
}
registerEnumType(AccessReviewDecision, { name: 'AccessReviewDecision' });

/** The contract's flags; clients switch on them, so the list stays as it is and reasons go to `signals`. */
export enum AccessRiskFlag {
  NO_MFA = 'NO_MFA',
  DORMANT_90_DAYS = 'DORMANT_90_DAYS',
  NEVER_USED = 'NEVER_USED',
  PRIVILEGED = 'PRIVILEGED',
  EXPIRING_KEY = 'EXPIRING_KEY',
}
registerEnumType(AccessRiskFlag, { name: 'AccessRiskFlag' });

/** Why an item deserves a look: each contract flag, and what the tenant's previous completed review tells. */
export enum AccessReviewSignalCode {
  NO_MFA = 'NO_MFA',
  DORMANT_90_DAYS = 'DORMANT_90_DAYS',
  NEVER_USED = 'NEVER_USED',
  PRIVILEGED = 'PRIVILEGED',
  EXPIRING_KEY = 'EXPIRING_KEY',
  NEW_SINCE_LAST_REVIEW = 'NEW_SINCE_LAST_REVIEW',
  ROLE_CHANGED_SINCE_LAST_REVIEW = 'ROLE_CHANGED_SINCE_LAST_REVIEW',
  KEPT_WITH_FLAG_LAST_TIME = 'KEPT_WITH_FLAG_LAST_TIME',
}
registerEnumType(AccessReviewSignalCode, { name: 'AccessReviewSignalCode' });

@ObjectType('AccessReviewSignal')
export class AccessReviewSignal {
  @Field(() => AccessReviewSignalCode)
  code!: AccessReviewSignalCode;

  @Field({ description: 'a sentence a reviewer reads' })
  reason!: string;
}

/** One access as it stood when the review started: a membership or an API key, with its role and flags then. */
@ObjectType('AccessReviewItem')
@Entity({ name: 'access_review_items' })
export class AccessReviewItemEntity {
  @Field(() => ID)
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @Column('uuid', { name: 'review_id' })
  reviewId!: string;

  @Column('uuid', { name: 'membership_id', nullable: true })
  membershipId!: string | null;

  @Column('uuid', { name: 'api_key_id', nullable: true })
  apiKeyId!: string | null;

  /** Whose access it is: the member, or the key's creator. Nobody decides their own. */
  @Column('uuid', { name: 'owner_user_id' })
  ownerUserId!: string;

  @Field(() => RoleEnum)
  @Column('text', { name: 'role_at_start' })
  roleAtStart!: Role;

  @Field(() => [AccessRiskFlag])
  @Column('text', { array: true })
  flags!: AccessRiskFlag[];

  @Field(() => [AccessReviewSignal])
  @Column('jsonb')
  signals!: AccessReviewSignal[];

  @Field(() => AccessReviewDecision, { nullable: true })
  @Column('text', { nullable: true })
  decision!: AccessReviewDecision | null;

  @Field(() => RoleEnum, { nullable: true })
  @Column('text', { name: 'new_role', nullable: true })
  newRole!: Role | null;

  @Field(() => String, { nullable: true })
  @Column('text', { nullable: true })
  justification!: string | null;

  @Column('uuid', { name: 'decided_by', nullable: true })
  decidedById!: string | null;

  @Field(() => Date, { nullable: true })
  @Column('timestamptz', { name: 'decided_at', nullable: true })
  decidedAt!: Date | null;
}
