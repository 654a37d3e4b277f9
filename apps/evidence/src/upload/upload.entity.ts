import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '@compliance-graph/db';

/**
 * Content received by `POST /evidence/uploads`, stored by its SHA-256. It belongs to its
 * tenant and uploader, becomes one evidence revision (claimed once), and is collected when
 * nothing claimed it within a day.
 */
@Entity({ name: 'uploads' })
export class UploadEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @Column('uuid', { name: 'uploaded_by' })
  uploadedById!: string;

  @Column('text')
  sha256!: string;

  @Column('bigint', { name: 'size_bytes', transformer: bigintAsNumber })
  sizeBytes!: number;

  @Column('text', { name: 'content_type' })
  contentType!: string;

  @Column('text', { name: 'file_name' })
  fileName!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'claimed_at', nullable: true })
  claimedAt!: Date | null;
}
