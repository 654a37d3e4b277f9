import { createHash } from 'node:crypto';

/**
 * The BagIt (RFC 8493) layout of a proofpack ZIP: tag files at the root, the payload under data/.
 * The same functions write a pack and check one, so writer and verifier cannot drift apart.
 */
export const BAG = {
  declaration: 'bagit.txt',
  info: 'bag-info.txt',
  manifest: 'manifest-sha256.txt',
  tagManifest: 'tagmanifest-sha256.txt',
  proofpack: 'data/proofpack.json',
  signature: 'data/proofpack.json.sig',
  keys: 'data/keys.json',
  coverage: 'data/coverage.csv',
} as const;

export const BAGIT_DECLARATION = 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n';

export interface BagEntry {
  path: string;
  sha256: string;
  sizeBytes: number;
}

/** Where a revision's file lies in the bag: its item, its version and its (single-segment) file name. */
export const revisionPath = (evidenceId: string, version: number, fileName: string) => `data/evidence/${evidenceId}/${version}-${fileName}`;

export const sha256Hex = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/** RFC 8493 §2.1.3: a manifest line's path has CR, LF and % percent-encoded. */
const encodePath = (path: string) => path.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const decodePath = (path: string) => path.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%');

/** A manifest: one `<sha256>  <path>` line per file, in path order. */
export function manifestText(entries: readonly BagEntry[]): string {
  return [...entries]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((entry) => `${entry.sha256}  ${encodePath(entry.path)}\n`)
    .join('');
}

/** The lines of a manifest, as path -> sha256; a malformed line or a path listed twice is refused. */
export function parseManifest(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of text.split('\n').filter((l) => l !== '')) {
    const match = /^([0-9a-f]{64})[ \t]+(.+)$/.exec(line);
    if (!match) throw new Error(`malformed manifest line "${line.slice(0, 100)}"`);
    const path = decodePath(match[2]);
    if (entries.has(path)) throw new Error(`${path} is listed twice`);
    entries.set(path, match[1]);
  }
  return entries;
}

/** RFC 8493 §2.2.2 Payload-Oxum: the payload's octet count and file count. */
export const payloadOxum = (payload: readonly BagEntry[]) => `${payload.reduce((sum, entry) => sum + entry.sizeBytes, 0)}.${payload.length}`;

/** bag-info.txt: the labels an auditor's tools read first. */
export function bagInfoText(info: { sourceOrganization: string; baggingDate: Date; externalIdentifier: string; payload: readonly BagEntry[] }): string {
  return [
    `Source-Organization: ${info.sourceOrganization}`,
    `Bagging-Date: ${info.baggingDate.toISOString().slice(0, 10)}`,
    `External-Identifier: ${info.externalIdentifier}`,
    `Payload-Oxum: ${payloadOxum(info.payload)}`,
  ].join('\n') + '\n';
}

/** The labels of bag-info.txt. */
export function parseBagInfo(text: string): Map<string, string> {
  const labels = new Map<string, string>();
  for (const line of text.split('\n').filter((l) => l !== '')) {
    const colon = line.indexOf(':');
    if (colon < 1) throw new Error(`malformed bag-info line "${line.slice(0, 100)}"`);
    labels.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  return labels;
}
