import { z } from 'zod';

/** A UTF-16 surrogate without its partner: UTF-8 (PostgreSQL, JSON on the wire) cannot carry it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');
const CONTROL_CHARACTERS = /\p{Cc}+/gu;

/** Why a string cannot be stored as text or jsonb in PostgreSQL, or null when it can. */
export function unstorableText(value: string): string | null {
  if (value.includes('\u0000')) return 'must not contain NUL characters';
  if (LONE_SURROGATE.test(value)) return 'must not contain unpaired UTF-16 surrogates';
  return null;
}

/** A string PostgreSQL stores unchanged: no NUL (text and jsonb refuse it), no lone surrogate (UTF-8 cannot encode it). */
export const storableText = z.string().superRefine((value, context) => {
  const problem = unstorableText(value);
  if (problem) context.addIssue({ code: 'custom', message: problem });
});

/** Longest user agent a record keeps; longer ones are truncated, never refused. */
export const USER_AGENT_MAX_LENGTH = 512;
/** Longest client address a record keeps (an IPv6 address with zone fits many times). */
export const CLIENT_ADDRESS_MAX_LENGTH = 100;

/**
 * A request header's value made fit for a record: lone surrogates become U+FFFD, control
 * characters go, and the rest is cut to `max` UTF-16 units without splitting a pair. Header
 * values are the client's to choose, so they are bounded here and never refused: refusing
 * them would let any client fail a login's record, or a whole tenant's audit delivery.
 */
export function normaliseHeaderValue(value: string | null | undefined, max: number): string | null {
  if (value === null || value === undefined) return null;
  const cleaned = value.replace(LONE_SURROGATES, '\uFFFD').replace(CONTROL_CHARACTERS, '').trim();
  const cut = cleaned.slice(0, max);
  const bounded = /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
  return bounded.length > 0 ? bounded : null;
}

/** Any JSON value whose strings, keys included, are storable (jsonb refuses \u0000 too). */
const json: z.ZodType<unknown> = z.lazy(() =>
  z.union([storableText, z.number(), z.boolean(), z.null(), z.array(json), z.record(storableText, json)]),
);

const MILLISECOND_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const timestamp = z.string().regex(MILLISECOND_ISO, 'must be an ISO timestamp with milliseconds and Z');
const text = (max: number) => storableText.min(1).max(max);

/**
 * The audit record a producer sends (DESIGN.md): the record without seq, recordedAt and
 * leafHash. One schema for both sides: producers check every record with it in the
 * transaction that enqueues it, and the audit ingest refuses what it refuses, so a record
 * that reached an outbox is one the ingest accepts.
 */
export const auditRecordSchema = z
  .object({
    id: z.string().uuid(),
    tenantId: z.string().uuid(),
    occurredAt: timestamp,
    action: z.string().regex(/^[a-z_]+\.[a-z_]+$/, 'must be <domain>.<verb> (past tense)'),
    actorKind: z.enum(['USER', 'API_KEY', 'SUPPORT', 'SYSTEM']),
    actorId: z.string().uuid().nullable(),
    subjectType: z.string().regex(/^[A-Z][A-Za-z]{0,63}$/, 'must be a GraphQL type name'),
    subjectId: text(200),
    service: text(50),
    ip: text(CLIENT_ADDRESS_MAX_LENGTH).nullable(),
    userAgent: text(USER_AGENT_MAX_LENGTH).nullable(),
    reason: text(2000).nullable(),
    data: z.record(storableText, json),
  })
  .strict();

/** The audit record a producer sends; the audit service adds seq, recordedAt and leafHash. */
export type AuditRecord = z.infer<typeof auditRecordSchema>;

/** "reason must not contain NUL characters; data.email ...": each problem named by its field. */
export const describeIssues = (error: z.ZodError): string =>
  error.issues.map((issue) => `${issue.path.join('.') || 'record'} ${issue.message}`).join('; ');
