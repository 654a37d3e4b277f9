import type { DataSource } from 'typeorm';
import type { BlobStore } from '../storage/blob-store';
import { deleteExpiredUploads, isBlobReferenced, lockBlobAddress } from './upload.store';

/** Uploads removed per transaction: bounds the locks one round holds at a time. */
const BATCH_SIZE = 100;

export interface CollectedUploads {
  uploads: number;
  blobs: number;
}

/**
 * One pass of the garbage collector, on the worker role's pool (it sees every tenant): removes
 * the uploads no revision claimed within `retentionHours`, and with them every blob that no
 * upload or revision of any tenant names any more.
 *
 * Each batch is one transaction: the rows are deleted, then, per hash in sorted order (two
 * collectors never wait on each other in a cycle), the hash's lock is taken, the references are
 * counted in a new statement (which sees every upload committed before the lock was granted)
 * and an unreferenced blob is deleted before the commit. An upload of the same content either
 * committed before (and is counted) or waits for the lock and puts the blob back from its staged
 * copy. A blob that cannot be deleted rolls the batch back, rows included, so the next pass tries
 * again: the table is the collector's only state, and it survives restarts.
 */
export async function collectExpiredUploads(workerDb: DataSource, blobs: BlobStore, retentionHours: number): Promise<CollectedUploads> {
  const collected: CollectedUploads = { uploads: 0, blobs: 0 };
  for (;;) {
    const batch = await workerDb.transaction(async (tx) => {
      const hashes = await deleteExpiredUploads(tx, retentionHours, BATCH_SIZE);
      let deletedBlobs = 0;
      for (const sha256 of [...new Set(hashes)].sort()) {
        await lockBlobAddress(tx, sha256);
        if (await isBlobReferenced(tx, sha256)) continue;
        await blobs.delete(sha256);
        deletedBlobs++;
      }
      return { uploads: hashes.length, blobs: deletedBlobs };
    });
    collected.uploads += batch.uploads;
    collected.blobs += batch.blobs;
    if (batch.uploads < BATCH_SIZE) return collected;
  }
}
