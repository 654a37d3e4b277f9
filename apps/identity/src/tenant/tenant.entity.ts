import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';

@Directive('@key(fields: "id")')
@ObjectType('Tenant')
@Entity({ name: 'tenants' })
export class TenantEntity {
  @Field(() => ID)
  @PrimaryColumn('uuid')
  id!: string;

  @Field()
  @Column('text')
  name!: string;

  @Field({ description: "lowercase letters, digits, '-'; unique" })
  @Column('text')
  slug!: string;

  @Field({ description: 'members without MFA get an enrolment-only token until they enrol' })
  @Column('boolean', { name: 'mfa_required' })
  mfaRequired!: boolean;

  @Field()
  @Column('boolean', { name: 'support_access_allowed' })
  supportAccessAllowed!: boolean;

  @Field(() => Int, { description: 'minimum notice for subprocessor changes (default 30)' })
  @Column('integer', { name: 'subprocessor_notice_days' })
  subprocessorNoticeDays!: number;

  @Field()
  @Column('boolean', { name: 'public_subprocessor_page' })
  publicSubprocessorPage!: boolean;

  @Field()
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** The tenant's own id is its tenant: lets the shared tenant rules treat it like any row. */
  get tenantId(): string {
    return this.id;
  }
}
