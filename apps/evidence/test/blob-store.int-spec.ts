import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import S3rver from 's3rver';
import { CodedError } from '@compliance-graph/auth';
import type { BlobStore, StageLimits } from '../src/storage/blob-store';
import { FsBlobStore } from '../src/storage/fs-blob-store';
import { S3BlobStore } from '../src/storage/s3-blob-store';
import { SPOOL_PREFIX } from '../src/storage/spool';

/** Stages and commits in one step, as a caller that needs no lock between the two would. */
async function putBlob(store: BlobStore, content: Readable, limits: StageLimits) {
  const staged = await store.stage(content, limits);
  try {
    await staged.commit();
    return { sha256: staged.sha256, sizeBytes: staged.sizeBytes };
  } finally {
    await staged.discard();
  }
}

const sha256Of = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Content in several chunks, as a request body arrives. */
const chunked = (bytes: Buffer, chunkSize = 64 * 1024) =>
  Readable.from(Array.from({ length: Math.ceil(bytes.length / chunkSize) }, (_, i) => bytes.subarray(i * chunkSize, (i + 1) * chunkSize)));

/** A body that breaks after its first chunk, as a client that disconnects. */
function failingMidway(first: Buffer): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(first);
      } else this.destroy(new Error('connection reset'));
    },
  });
}

const readAll = async (stream: Readable) => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

interface StoreUnderTest {
  store: BlobStore;
  /** Where staged copies live: nothing may be left there after a failure. */
  spoolDirectory: string;
}

const BUCKET = 'evidence-blobs';
let s3: S3rver | undefined;
let s3Endpoint = '';
const dirs: string[] = [];
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};

beforeAll(async () => {
  s3 = new S3rver({ address: '127.0.0.1', port: 0, directory: tempDir('cg-s3rver-'), silent: true, configureBuckets: [{ name: BUCKET }] });
  const { port } = await s3.run();
  s3Endpoint = `http://127.0.0.1:${port}`;
  // s3rver's fixed credentials, read through the SDK's standard chain as in a deployment.
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
});
afterAll(async () => {
  await s3?.close();
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

const STORES: Array<[string, () => StoreUnderTest]> = [
  [
    'FsBlobStore',
    () => {
      const root = tempDir('cg-blobs-');
      return { store: new FsBlobStore(root), spoolDirectory: root };
    },
  ],
  [
    'S3BlobStore',
    () => {
      const spoolDirectory = tempDir('cg-s3-spool-');
      return { store: new S3BlobStore({ bucket: BUCKET, region: 'us-east-1', endpoint: s3Endpoint, spoolDirectory }), spoolDirectory };
    },
  ],
];

describe.each(STORES)('%s', (_name, create) => {
  let store: BlobStore;
  let spoolDirectory: string;
  const stagedLeft = () => readdirSync(spoolDirectory).filter((name) => name.startsWith(SPOOL_PREFIX));

  beforeAll(() => {
    ({ store, spoolDirectory } = create());
  });
  afterAll(() => store.close?.());

  it('stores content under its SHA-256 and gives it back byte for byte', async () => {
    const content = randomBytes(1_048_576 + 17);
    const address = await putBlob(store, chunked(content), { maxBytes: 2_000_000 });
    expect(address).toEqual({ sha256: sha256Of(content), sizeBytes: content.length });
    expect(await store.exists(address.sha256)).toBe(true);
    expect((await readAll(store.open(address.sha256))).equals(content)).toBe(true);
    expect(stagedLeft()).toEqual([]);
  });

  it('accepts content of exactly the limit', async () => {
    const content = randomBytes(4096);
    expect(await putBlob(store, chunked(content, 1000), { maxBytes: 4096 })).toEqual({ sha256: sha256Of(content), sizeBytes: 4096 });
  });

  it('keeps one blob for the same content stored twice', async () => {
    const content = Buffer.from('the same board minutes, uploaded twice');
    const first = await putBlob(store, chunked(content), { maxBytes: 1024 });
    const second = await putBlob(store, chunked(content), { maxBytes: 1024 });
    expect(second).toEqual(first);
    expect(await text(store.open(first.sha256))).toBe(content.toString());
    expect(stagedLeft()).toEqual([]);
  });

  it('aborts content over the limit with PAYLOAD_TOO_LARGE and leaves nothing behind', async () => {
    const content = randomBytes(10_000);
    const failure = await putBlob(store, chunked(content, 1000), { maxBytes: 9_999 }).catch((error) => error);
    expect(failure).toBeInstanceOf(CodedError);
    expect(failure.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await store.exists(sha256Of(content))).toBe(false);
    expect(stagedLeft()).toEqual([]);
  });

  it('refuses empty content with BAD_USER_INPUT and leaves nothing behind', async () => {
    const failure = await putBlob(store, Readable.from([]), { maxBytes: 1024 }).catch((error) => error);
    expect(failure).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(await store.exists(sha256Of(Buffer.alloc(0)))).toBe(false);
    expect(stagedLeft()).toEqual([]);
  });

  it('leaves nothing behind when the content stream fails midway', async () => {
    const failure = await putBlob(store, failingMidway(randomBytes(5000)), { maxBytes: 1_000_000 }).catch((error) => error);
    expect(failure).toMatchObject({ message: 'connection reset' });
    expect(stagedLeft()).toEqual([]);
  });

  it('stores nothing for staged content that is discarded', async () => {
    const content = randomBytes(2048);
    const staged = await store.stage(chunked(content), { maxBytes: 4096 });
    expect(stagedLeft()).toHaveLength(1);
    await staged.discard();
    expect(await store.exists(staged.sha256)).toBe(false);
    expect(stagedLeft()).toEqual([]);
  });

  it('commits again after the blob was deleted, from the staged copy', async () => {
    const content = randomBytes(2048);
    const staged = await store.stage(chunked(content), { maxBytes: 4096 });
    await staged.commit();
    await store.delete(staged.sha256);
    await staged.commit();
    await staged.discard();
    expect((await readAll(store.open(staged.sha256))).equals(content)).toBe(true);
  });

  it('deletes a blob, and deleting a missing one is no error', async () => {
    const content = randomBytes(300);
    const { sha256 } = await putBlob(store, chunked(content), { maxBytes: 1024 });
    await store.delete(sha256);
    expect(await store.exists(sha256)).toBe(false);
    await expect(readAll(store.open(sha256))).rejects.toThrow();
    await expect(store.delete(sha256)).resolves.toBeUndefined();
  });

  it('refuses an address that is not a SHA-256', async () => {
    await expect(store.exists('../../etc/passwd')).rejects.toThrow('lowercase hex SHA-256');
  });
});
