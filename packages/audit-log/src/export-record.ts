import canonicalize from 'canonicalize';
import { leafHash } from './merkle/hashes';
import type { AuditRecord } from './record';

/** What a producer sends, checked by the very schema producers check it with before enqueueing. */
export type ProducedRecord = AuditRecord;

/** What the audit service adds to a produced record when it appends it: what the leaf hash covers. */
export type UnhashedRecord = ProducedRecord & { seq: number; recordedAt: string };

/** The export record (one NDJSON line of GET /audit/export). */
export type ExportRecord = UnhashedRecord & { leafHash: string };

/** Leaf data = RFC 8785 canonical JSON of the export record without leafHash. */
export function leafDataOf(record: UnhashedRecord): Buffer {
  const { leafHash: _ignored, ...unhashed } = record as ExportRecord;
  return Buffer.from(canonicalize(unhashed) as string, 'utf8');
}

export const leafHashOf = (record: UnhashedRecord): Buffer => leafHash(leafDataOf(record));
