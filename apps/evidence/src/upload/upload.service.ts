import type { EntityManager } from 'typeorm';
import { badUserInput, conflict, notFound, type Principal } from '@compliance-graph/auth';
import { isUuid } from '@compliance-graph/db';
import { UploadEntity } from './upload.entity';

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
