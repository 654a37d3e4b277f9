import { createReadStream } from 'node:fs';
import { link, mkdir, open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { assertBlobAddress, type BlobStore, type StageLimits, type StagedBlob } from './blob-store';
import { spoolToFile } from './spool';

/** Makes a directory entry (a new, linked or removed file) durable, not only the file's bytes. */
async function syncDirectory(path: string): Promise<void> {
  const directory = await open(path, 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

/**
 * Blobs as files `<root>/<first two hex digits>/<sha256>`. Content is staged in `<root>` itself
 * (the same file system, so placing it is one atomic directory operation) and placed with
 * link(2) rather than rename(2): link never replaces an existing file, so a blob already there
 * is kept (dedupe) and two uploads of the same content cannot race, and the staged copy stays
 * until discarded, so commit can be repeated.
 */
export class FsBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  private pathOf(sha256: string): { directory: string; file: string } {
    const directory = join(this.root, assertBlobAddress(sha256).slice(0, 2));
    return { directory, file: join(directory, sha256) };
  }

  async stage(content: Readable, limits: StageLimits): Promise<StagedBlob> {
    const staged = await spoolToFile(content, this.root, limits);
    const { directory, file } = this.pathOf(staged.sha256);
    return {
      sha256: staged.sha256,
      sizeBytes: staged.sizeBytes,
      commit: async () => {
        await mkdir(directory, { recursive: true });
        try {
          await link(staged.path, file);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
          return;
        }
        await syncDirectory(directory);
        await syncDirectory(this.root);
      },
      discard: () => rm(staged.path, { force: true }),
    };
  }

  open(sha256: string): Readable {
    return createReadStream(this.pathOf(sha256).file);
  }

  async exists(sha256: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(sha256).file)).isFile();
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  async delete(sha256: string): Promise<void> {
    const { directory, file } = this.pathOf(sha256);
    await rm(file, { force: true });
    try {
      await syncDirectory(directory);
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
  }
}
