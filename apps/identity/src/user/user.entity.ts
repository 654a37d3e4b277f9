import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { Directive, Field, ID, ObjectType } from 'type-graphql';
import { bigintAsNumber } from '@compliance-graph/db';

/**
 * A person. Users are global (one login across tenants); a tenant sees the users it has or
 * had a membership with, which the row-level policy on `users` enforces.
 */
@Directive('@key(fields: "id")')
@ObjectType('User')
@Entity({ name: 'users' })
export class UserEntity {
  @Field(() => ID)
  @PrimaryColumn('uuid')
  id!: string;

  @Field()
  @Column('text', { name: 'display_name' })
  displayName!: string;

  @Field(() => String, { nullable: true, description: 'the user itself, and non-PARTNER roles of such a tenant' })
  @Column('text')
  email!: string;

  @Field(() => Boolean, { nullable: true, description: 'the user itself, OWNER, ADMIN, AUDITOR' })
  @Column('boolean', { name: 'mfa_enabled' })
  mfaEnabled!: boolean;

  @Field(() => Date, { nullable: true, description: 'the user itself, OWNER, ADMIN, AUDITOR' })
  @Column('timestamptz', { name: 'last_login_at', nullable: true })
  lastLoginAt!: Date | null;

  @Field()
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column('text', { name: 'password_hash', nullable: true, select: false })
  passwordHash!: string | null;

  @Column('timestamptz', { name: 'sessions_valid_after', select: false })
  sessionsValidAfter!: Date;

  /** A platform operator, who may open support sessions; only the operator CLI (worker role) sets it. */
  @Column('boolean', { name: 'is_operator', select: false })
  isOperator!: boolean;

  /** Sealed TOTP seed (secret-box), null until enrolment is confirmed. */
  @Column('text', { name: 'totp_secret', nullable: true, select: false })
  totpSecret!: string | null;

  @Column('text', { name: 'totp_pending_secret', nullable: true, select: false })
  totpPendingSecret!: string | null;

  @Column('bigint', { name: 'totp_last_step', nullable: true, select: false, transformer: bigintAsNumber })
  totpLastStep!: number | null;
}
