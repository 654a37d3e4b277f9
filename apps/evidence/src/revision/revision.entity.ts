import { Column, Entity, PrimaryColumn } from 'typeorm';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { bigintAsNumber } from '@compliance-graph/db';
import type { UploadEntity } from '../upload/upload.entity';

/** One immutable version of an item's content: the upload it claimed, copied so the revision stands alone. */
@ObjectType('EvidenceRevision')
@Entity({ name: 'revisions' })
export class RevisionEntity {
  @Field(() => ID)
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @Column('uuid', { name: 'evidence_id' })
  evidenceId!: string;

  @Field(() => Int, { description: 'from 1, without gaps' })
  @Column('integer')
  version!: number;

  @Column('uuid', { name: 'upload_id' })
  uploadId!: string;

  @Field({ description: 'hex SHA-256 of the content' })
  @Column('text')
  sha256!: string;

  @Field(() => Int)
  @Column('bigint', { name: 'size_bytes', transformer: bigintAsNumber })
  sizeBytes!: number;

  @Field()
  @Column('text', { name: 'content_type' })
  contentType!: string;

  @Field()
  @Column('text', { name: 'file_name' })
  fileName!: string;

  @Field()
  @Column('timestamptz', { name: 'uploaded_at' })
  uploadedAt!: Date;

  @Column('uuid', { name: 'uploaded_by' })
  uploadedById!: string;
}

/** What a revision copies from the upload it claims, so it stands alone. */
export const contentOf = (upload: UploadEntity): Pick<RevisionEntity, 'uploadId' | 'sha256' | 'sizeBytes' | 'contentType' | 'fileName' | 'uploadedAt' | 'uploadedById'> => ({
  uploadId: upload.id,
  sha256: upload.sha256,
  sizeBytes: upload.sizeBytes,
  contentType: upload.contentType,
  fileName: upload.fileName,
  uploadedAt: upload.createdAt,
  uploadedById: upload.uploadedById,
});
