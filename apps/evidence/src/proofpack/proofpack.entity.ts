import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { Directive, Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { bigintAsNumber } from '@compliance-graph/db';

export enum ProofpackStatus {
  OPEN = 'OPEN',
  SEALED = 'SEALED',
}
registerEnumType(ProofpackStatus, { name: 'ProofpackStatus' });

/** A package of evidence for an auditor: OPEN while assembled, SEALED once signed and stored as a BagIt ZIP. */
@Directive('@key(fields: "id")')
@ObjectType('Proofpack')
@Entity({ name: 'proofpacks' })
export class ProofpackEntity {
  @Field(() => ID)
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @Field()
  @Column('text')
  title!: string;

  @Field(() => String, { nullable: true })
  @Column('text', { nullable: true })
  description!: string | null;

  @Field(() => ProofpackStatus)
  @Column('text')
  status!: ProofpackStatus;

  @Field()
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column('uuid', { name: 'created_by' })
  createdById!: string;

  @Field(() => Date, { nullable: true })
  @Column('timestamptz', { name: 'sealed_at', nullable: true })
  sealedAt!: Date | null;

  @Column('uuid', { name: 'sealed_by', nullable: true })
  sealedById!: string | null;

  @Field(() => String, { nullable: true, description: 'SHA-256 of data/proofpack.json, set when sealed' })
  @Column('text', { name: 'manifest_sha256', nullable: true })
  manifestSha256!: string | null;

  @Field(() => String, { nullable: true, description: 'base64 Ed25519 over proofpack.json' })
  @Column('text', { nullable: true })
  signature!: string | null;

  @Field(() => String, { nullable: true })
  @Column('text', { name: 'key_id', nullable: true })
  keyId!: string | null;

  /** SHA-256 of the stored ZIP: its address in the blob store, and the download's ETag. */
  @Column('text', { name: 'package_sha256', nullable: true })
  packageSha256!: string | null;

  @Column('bigint', { name: 'package_size_bytes', nullable: true, transformer: bigintAsNumber })
  packageSizeBytes!: number | null;
}

/** An item of a pack, in the order it was given. */
@Entity({ name: 'proofpack_items' })
export class ProofpackItemEntity {
  @PrimaryColumn('uuid', { name: 'proofpack_id' })
  proofpackId!: string;

  @PrimaryColumn('uuid', { name: 'evidence_id' })
  evidenceId!: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @Column('integer')
  position!: number;
}
