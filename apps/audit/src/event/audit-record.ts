import canonicalize from 'canonicalize';
import { z } from 'zod';
import { leafHash } from '../merkle/hashes';

const MILLISECOND_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const timestamp = z.string().regex(MILLISECOND_ISO, 'must be an ISO timestamp with milliseconds and Z');
const short = (max: number) => z.string().min(1).max(max);

/** What a producer sends (DESIGN.md): the record without seq, recordedAt and leafHash. */
export const producedRecord = z
  .object({
    id: z.string().uuid(),
    tenantId: z.string().uuid(),
    occurredAt: timestamp,
    action: z.string().regex(/^[a-z_]+\.[a-z_]+$/, 'must be <domain>.<past-tense verb>'),
    actorKind: z.enum(['USER', 'API_KEY', 'SUPPORT', 'SYSTEM']),
    actorId: z.string().uuid().nullable(),
    subjectType: z.string().regex(/^[A-Z][A-Za-z]{0,63}$/, 'must be a GraphQL type name'),
    subjectId: short(200),
    service: short(50),
    ip: short(100).nullable(),
    userAgent: short(1000).nullable(),
    reason: short(2000).nullable(),
    data: z.record(z.string(), z.unknown()),
  })
  .strict();
export type ProducedRecord = z.infer<typeof producedRecord>;

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
