import { Column, Entity, PrimaryColumn } from 'typeorm';
import { Directive, Field, ID, ObjectType } from 'type-graphql';
import type { Role } from '@compliance-graph/auth';
import { RoleEnum } from '../membership/membership.entity';

/** Roles a key may carry: never OWNER or ADMIN. */
export const API_KEY_ROLES: readonly Role[] = ['PARTNER', 'AUDITOR', 'MEMBER'];

@Directive('@key(fields: "id")')
@ObjectType('ApiKey')
@Entity({ name: 'api_keys' })
export class ApiKeyEntity {
  @Field(() => ID)
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @Field()
  @Column('text')
  name!: string;

  @Field(() => RoleEnum, { description: 'PARTNER, AUDITOR or MEMBER; never OWNER/ADMIN' })
  @Column('text')
  role!: Role;

  @Field({ description: 'the public part, e.g. "cgk_3f9a1c"' })
  @Column('text')
  prefix!: string;

  @Column('bytea', { name: 'secret_hash', select: false })
  secretHash!: Buffer;

  @Column('uuid', { name: 'created_by' })
  createdById!: string;

  @Field()
  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Field({ description: 'mandatory, at most 365 days ahead' })
  @Column('timestamptz', { name: 'expires_at' })
  expiresAt!: Date;

  @Field(() => Date, { nullable: true })
  @Column('timestamptz', { name: 'last_used_at', nullable: true })
  lastUsedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;
}
