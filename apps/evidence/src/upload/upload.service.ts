import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { DataSource, EntityManager } from 'typeorm';
import { badUserInput, conflict, notFound, type Principal } from '@compliance-graph/auth';
import { isUuid, withTenant } from '@compliance-graph/db';
import type { BlobStore, StagedBlob } from '../storage/blob-store';
import { UploadEntity } from './upload.entity';
import { lockBlobAddress } from './upload.store';

/**
 * Takes an upload for a revision, inside the revision's transaction: only its uploader may, and
 * only once (the row lock makes two concurrent claims of one upload queue, and the second fails).
 * Another tenant's upload reads as absent, like an unknown id.
 */
export async function claimUpload(tx: EntityManager, principal: Principal, uploadId: string): Promise<UploadEntity> {
  if (!isUuid(uploadId)) throw badUserInput('uploadId must be a UUID');
  const upload = await tx.findOne(UploadEntity, { where: { id: uploadId }, lock: { mode: 'pessimistic_write' } });
  if (!upload || upload.uploadedById !== principal.subjectId) throw notFound('No such upload of yours');
  if (upload.claimedAt) throw conflict('This upload is already used by a revision');
  const claimedAt = new Date();
  await tx.update(UploadEntity, { id: upload.id }, { claimedAt });
  return Object.assign(upload, { claimedAt });
}

/** What an upload row says besides its content's address. */
export type UploadDescription = Pick<UploadEntity, 'tenantId' | 'uploadedById' | 'contentType' | 'fileName' | 'claimedAt'>;

/**
 * Inserts the upload's row and commits its staged blob, in the caller's transaction under the
 * hash's lock (see UploadService.receive): the blob exists once the row does.
 */
export async function storeUpload(tx: EntityManager, staged: StagedBlob, upload: UploadDescription): Promise<UploadEntity> {
  await lockBlobAddress(tx, staged.sha256);
  const row = tx.create(UploadEntity, { id: randomUUID(), sha256: staged.sha256, sizeBytes: staged.sizeBytes, ...upload });
  await tx.insert(UploadEntity, row);
  await staged.commit();
  return row;
}

export interface IncomingUpload {
  content: Readable;
  contentType: string;
  fileName: string;
}

/** Receives files for evidence revisions: the blob by its hash, the upload row in the caller's tenant. */
export class UploadService {
  constructor(
    private readonly db: DataSource,
    private readonly blobs: BlobStore,
    readonly maxBytes: number,
  ) {}

  /**
   * Streams the content aside while hashing it, then, in one transaction under the hash's lock
   * (upload.store.ts), inserts the row and commits the blob. The collector deletes a blob only
   * under the same lock and only when no row names it, so it either ran before (and the commit
   * puts the blob back from the staged copy) or sees this row; an answered upload always has its
   * blob. The blob is committed after the insert, so a refused insert leaves no blob behind.
   */
  async receive(principal: Principal, upload: IncomingUpload): Promise<UploadEntity> {
    const staged = await this.blobs.stage(upload.content, { maxBytes: this.maxBytes });
    try {
      return await withTenant(this.db, principal, (tx) =>
        storeUpload(tx, staged, {
          tenantId: principal.tenantId,
          uploadedById: principal.subjectId,
          contentType: upload.contentType,
          fileName: upload.fileName,
          claimedAt: null,
        }),
      );
    } finally {
      await staged.discard();
    }
  }
}
