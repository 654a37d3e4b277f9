import { Readable } from 'node:stream';
import { ZipFile } from 'yazl';
import { BAG, BAGIT_DECLARATION, bagInfoText, manifestText, sha256Hex, type BagEntry } from '@compliance-graph/proofpack';

/** A payload file of the bag: in memory (the manifest, keys, coverage) or streamed from the blob store (evidence files). */
export interface PayloadFile extends BagEntry {
  content: Buffer | (() => Readable);
}

export interface BagDescription {
  sourceOrganization: string;
  externalIdentifier: string;
  /** Every entry's time, so the same pack is the same bytes. */
  sealedAt: Date;
  payload: readonly PayloadFile[];
}

/** A stream that opens its source only when the ZIP reaches it: a pack of many files holds one open at a time. */
const opened = (open: () => Readable) =>
  Readable.from(
    (async function* () {
      yield* open();
    })(),
  );

/**
 * Streams the proofpack's BagIt bag as a ZIP (yazl): tag files first, then the payload, files
 * streamed one after another and never held whole. Evidence files are stored as they are (they
 * are mostly compressed already); the text files are deflated.
 */
export function writeBag(bag: BagDescription): Readable {
  const zip = new ZipFile();
  const mtime = bag.sealedAt;
  const tags = new Map<string, Buffer>();
  tags.set(BAG.declaration, Buffer.from(BAGIT_DECLARATION));
  tags.set(
    BAG.info,
    Buffer.from(bagInfoText({ sourceOrganization: bag.sourceOrganization, baggingDate: bag.sealedAt, externalIdentifier: bag.externalIdentifier, payload: bag.payload })),
  );
  tags.set(BAG.manifest, Buffer.from(manifestText(bag.payload)));
  const tagEntries = [...tags].map(([path, bytes]) => ({ path, sha256: sha256Hex(bytes), sizeBytes: bytes.length }));
  tags.set(BAG.tagManifest, Buffer.from(manifestText(tagEntries)));
  for (const [path, bytes] of tags) zip.addBuffer(bytes, path, { mtime, compress: true });
  for (const file of bag.payload) {
    if (Buffer.isBuffer(file.content)) zip.addBuffer(file.content, file.path, { mtime, compress: true });
    else zip.addReadStream(opened(file.content), file.path, { mtime, compress: false, size: file.sizeBytes });
  }
  zip.end();
  return zip.outputStream as Readable;
}
