import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { Directive, Field, ID, ObjectType } from 'type-graphql';

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
}
