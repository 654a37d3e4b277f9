import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { finished, type Readable } from 'node:stream';
import { CodedError, ErrorCode, badUserInput } from '@compliance-graph/auth';
import type { BlobAddress, StageLimits } from './blob-store';

/** Staged copies start with this, so nothing else in their directory is ever taken for one. */
export const SPOOL_PREFIX = '.staging-';

export const contentTooLarge = (maxBytes: number) =>
  new CodedError(ErrorCode.PAYLOAD_TOO_LARGE, `The content is larger than ${maxBytes} bytes`);

/**
 * Hands `source`'s chunks to `consume` one at a time, reading the next only when the previous is
 * consumed (backpressure). A failure stops reading but leaves `source` open: its owner (an HTTP
 * request) may still answer on the same connection, which destroying the request would close.
 */
function consumeChunks(source: Readable, consume: (chunk: Buffer) => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let consuming: Promise<void> = Promise.resolve();
    const settle = (error?: unknown) => {
      if (settled) return;
      settled = true;
      source.off('data', onData);
      stopWatching();
      if (error === undefined) resolve();
      else {
        source.pause();
        reject(error);
      }
    };
    const onData = (chunk: Buffer | string) => {
      source.pause();
      consuming = consume(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk)).then(() => {
        if (!settled) source.resume();
      });
      consuming.catch(settle);
    };
    // 'end' may follow the last chunk before that chunk is consumed: wait for it.
    const stopWatching = finished(source, { writable: false }, (error) => {
      if (error) settle(error);
      else consuming.then(() => settle(), settle);
    });
    source.on('data', onData);
  });
}

/**
 * Streams `source` into a new file in `directory` while hashing it, fsynced before this
 * resolves. Over `maxBytes`, empty, or a source that fails: the file is removed and the error
 * thrown. Memory stays at one chunk whatever the size.
 */
export async function spoolToFile(source: Readable, directory: string, limits: StageLimits): Promise<BlobAddress & { path: string }> {
  await mkdir(directory, { recursive: true });
  const path = join(directory, `${SPOOL_PREFIX}${randomBytes(12).toString('hex')}`);
  const file = await open(path, 'wx', 0o600);
  const hash = createHash('sha256');
  let sizeBytes = 0;
  try {
    await consumeChunks(source, async (chunk) => {
      sizeBytes += chunk.length;
      if (sizeBytes > limits.maxBytes) throw contentTooLarge(limits.maxBytes);
      hash.update(chunk);
      await file.writeFile(chunk);
    });
    if (sizeBytes === 0) throw badUserInput('The content is empty');
    await file.sync();
  } catch (error) {
    await file.close();
    await rm(path, { force: true });
    throw error;
  }
  await file.close();
  return { path, sha256: hash.digest('hex'), sizeBytes };
}
