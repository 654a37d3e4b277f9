import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { assertBlobAddress, type BlobStore, type StageLimits, type StagedBlob } from './blob-store';
import { spoolToFile } from './spool';

export interface S3BlobStoreOptions {
  bucket: string;
  region: string;
  /** An S3-compatible server's URL (MinIO, a local test server); AWS itself when absent. */
  endpoint?: string;
  /** Where content is staged on local disk while it is hashed. */
  spoolDirectory: string;
}

const isNotFound = (error: unknown) => {
  const failure = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return failure.name === 'NotFound' || failure.name === 'NoSuchKey' || failure.$metadata?.httpStatusCode === 404;
};

/**
 * Blobs as objects `<first two hex digits>/<sha256>` in one bucket; credentials come from the
 * SDK's standard chain (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, a profile, an instance role).
 *
 * Content is staged on local disk while it is hashed, and sent only once its address is known,
 * rather than streamed to a temporary key and copied: nothing of a refused or broken upload ever
 * reaches the bucket (no temporary keys to collect after a crash), content already stored costs
 * one HEAD instead of an upload, a copy and a delete, and the object is sent with its length and
 * SHA-256 so S3 verifies what it stores. Memory stays at one chunk; the disk holds at most the
 * uploads in flight.
 */
export class S3BlobStore implements BlobStore {
  private readonly client: S3Client;

  constructor(private readonly options: S3BlobStoreOptions) {
    this.client = new S3Client({
      region: options.region,
      endpoint: options.endpoint,
      // Local servers answer on a path, not on a bucket subdomain.
      forcePathStyle: options.endpoint !== undefined,
      // We send our own SHA-256; the SDK's default CRC32 trailer needs chunked signing that
      // S3-compatible servers often lack.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  private keyOf(sha256: string): string {
    return `${assertBlobAddress(sha256).slice(0, 2)}/${sha256}`;
  }

  async stage(content: Readable, limits: StageLimits): Promise<StagedBlob> {
    const staged = await spoolToFile(content, this.options.spoolDirectory, limits);
    return {
      sha256: staged.sha256,
      sizeBytes: staged.sizeBytes,
      commit: async () => {
        if (await this.exists(staged.sha256)) return;
        await this.client.send(
          new PutObjectCommand({
            Bucket: this.options.bucket,
            Key: this.keyOf(staged.sha256),
            Body: createReadStream(staged.path),
            ContentLength: staged.sizeBytes,
            ChecksumSHA256: Buffer.from(staged.sha256, 'hex').toString('base64'),
          }),
        );
      },
      discard: () => rm(staged.path, { force: true }),
    };
  }

  open(sha256: string): Readable {
    const { client, options } = this;
    const key = this.keyOf(sha256);
    return Readable.from(
      (async function* () {
        const { Body } = await client.send(new GetObjectCommand({ Bucket: options.bucket, Key: key }));
        yield* Body as Readable;
      })(),
      { objectMode: false },
    );
  }

  async exists(sha256: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: this.keyOf(sha256) }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async delete(sha256: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.keyOf(sha256) }));
  }

  close(): void {
    this.client.destroy();
  }
}
