import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { Directive, Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { ROLES, type Role } from '@compliance-graph/auth';

export const RoleEnum = Object.fromEntries(ROLES.map((role) => [role, role])) as { [R in Role]: R };
registerEnumType(RoleEnum, { name: 'Role' });

@Directive('@key(fields: "id")')
@ObjectType('Membership')
@Entity({ name: 'memberships' })
export class MembershipEntity {
  @Field(() => ID)
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @Column('uuid', { name: 'user_id' })
  userId!: string;

  @Field(() => RoleEnum)
  @Column('text')
  role!: Role;

  @Field()
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;

  @Field(() => String, { nullable: true })
  @Column('text', { name: 'revoked_reason', nullable: true })
  revokedReason!: string | null;

  /** The member's last sign-in into this tenant (User.lastLoginAt is global): what makes a membership dormant. */
  @Column('timestamptz', { name: 'last_sign_in_at', nullable: true })
  lastSignInAt!: Date | null;
}
