import { tmpdir } from 'node:os';
import type { EvidenceConfig } from '../config';
import type { BlobStore } from './blob-store';
import { FsBlobStore } from './fs-blob-store';
import { S3BlobStore } from './s3-blob-store';

/** The configured store: the S3 bucket when one is named, files under EVIDENCE_BLOB_DIR otherwise. */
export function openBlobStore(config: EvidenceConfig): BlobStore {
  if (config.EVIDENCE_S3_BUCKET && config.EVIDENCE_S3_REGION) {
    return new S3BlobStore({
      bucket: config.EVIDENCE_S3_BUCKET,
      region: config.EVIDENCE_S3_REGION,
      endpoint: config.EVIDENCE_S3_ENDPOINT,
      spoolDirectory: tmpdir(),
    });
  }
  return new FsBlobStore(config.EVIDENCE_BLOB_DIR);
}
