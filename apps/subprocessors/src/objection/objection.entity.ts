import { Column, Entity, PrimaryColumn } from 'typeorm';
import { Field, ID, ObjectType } from 'type-graphql';

/** A partner's objection to an announced change; one per partner (member or API key) and change. */
@ObjectType('SubprocessorObjection')
@Entity({ name: 'objections' })
export class SubprocessorObjectionEntity {
  @Field(() => ID)
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @Column('uuid', { name: 'change_id' })
  changeId!: string;

  @Column('text', { name: 'partner_kind' })
  partnerKind!: 'USER' | 'API_KEY';

  @Column('uuid', { name: 'partner_id' })
  partnerId!: string;

  @Field({ description: "the key's name or the member's display name when the objection was filed" })
  @Column('text', { name: 'partner_name' })
  partnerName!: string;

  @Field()
  @Column('text')
  reason!: string;

  @Field()
  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;
}
