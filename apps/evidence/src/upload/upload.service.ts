import { IsNull, type EntityManager } from 'typeorm';
import { badUserInput, type Principal } from '@compliance-graph/auth';
import { isUuid } from '@compliance-graph/db';
import { UploadEntity } from './upload.entity';

/** One answer for an id that is unknown, another tenant's, someone else's or already used: nothing to learn from the difference. */
const UNUSABLE_UPLOAD = 'uploadId names no unused upload of yours';

/**
 * Takes an upload for a revision, inside the revision's transaction: only its uploader may, and
 * only once (the row lock makes two concurrent claims of one upload queue, and the second fails).
 */
export async function claimUpload(tx: EntityManager, principal: Principal, uploadId: string): Promise<UploadEntity> {
  if (!isUuid(uploadId)) throw badUserInput('uploadId must be a UUID');
  const upload = await tx.findOne(UploadEntity, {
    where: { id: uploadId, uploadedById: principal.subjectId, claimedAt: IsNull() },
    lock: { mode: 'pessimistic_write' },
  });
  if (!upload) throw badUserInput(UNUSABLE_UPLOAD);
  const claimedAt = new Date();
  await tx.update(UploadEntity, { id: upload.id }, { claimedAt });
  return Object.assign(upload, { claimedAt });
}
