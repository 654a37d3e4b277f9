import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { open, type Entry, type ZipFile } from 'yauzl';

export interface ZipEntry {
  name: string;
  /** The entry's uncompressed bytes; read it to the end before asking for the next entry. */
  content: Readable;
}

const openZip = promisify<string, { lazyEntries: true; autoClose: false; strictFileNames: true }, ZipFile>(open);

/**
 * The file entries of a ZIP, one at a time, each streamed (never held whole). yauzl refuses
 * absolute names, `..` segments and (strictFileNames) backslashes; a name given twice is
 * refused here, since a bag whose reader picks one of two entries proves nothing.
 * Directory entries carry no content and are passed over.
 */
export async function* zipEntries(path: string): AsyncGenerator<ZipEntry> {
  const zip = await openZip(path, { lazyEntries: true, autoClose: false, strictFileNames: true });
  const seen = new Set<string>();
  try {
    for (let entry = await nextEntry(zip); entry; entry = await nextEntry(zip)) {
      if (seen.has(entry.fileName)) throw new Error(`the ZIP holds ${entry.fileName} twice`);
      seen.add(entry.fileName);
      if (entry.fileName.endsWith('/')) continue;
      yield { name: entry.fileName, content: await promisify(zip.openReadStream.bind(zip))(entry) };
    }
  } finally {
    zip.close();
  }
}

function nextEntry(zip: ZipFile): Promise<Entry | undefined> {
  return new Promise((resolve, reject) => {
    const settle = (outcome: () => void) => {
      zip.off('entry', onEntry).off('end', onEnd).off('error', onError);
      outcome();
    };
    const onEntry = (entry: Entry) => settle(() => resolve(entry));
    const onEnd = () => settle(() => resolve(undefined));
    const onError = (error: Error) => settle(() => reject(error));
    zip.on('entry', onEntry).on('end', onEnd).on('error', onError);
    zip.readEntry();
  });
}
