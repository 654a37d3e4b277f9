import { Column, Entity, PrimaryColumn } from 'typeorm';
import { Field, ID, ObjectType } from 'type-graphql';
import type { Role } from '@compliance-graph/auth';
import { RoleEnum } from '../membership/membership.entity';

@ObjectType('Invitation')
@Entity({ name: 'invitations' })
export class InvitationEntity {
  @Field(() => ID)
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @Field()
  @Column('text')
  email!: string;

  @Field(() => RoleEnum)
  @Column('text')
  role!: Role;

  @Column('bytea', { name: 'token_hash', select: false })
  tokenHash!: Buffer;

  @Column('uuid', { name: 'invited_by' })
  invitedById!: string;

  @Field()
  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Field({ description: '7 days after creation by default (configurable)' })
  @Column('timestamptz', { name: 'expires_at' })
  expiresAt!: Date;

  @Field(() => Date, { nullable: true })
  @Column('timestamptz', { name: 'accepted_at', nullable: true })
  acceptedAt!: Date | null;

  @Column('uuid', { name: 'accepted_by', nullable: true })
  acceptedById!: string | null;

  @Field(() => Date, { nullable: true })
  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;
}
