import { z } from 'zod';
import { ROLES } from '@compliance-graph/auth';

/**
 * One internal API: the route, how large a body it takes (sized for what it carries, so no
 * legitimate message is refused and retried forever), and what goes each way. The server
 * mounts it and the client calls it from this one declaration.
 */
export interface InternalApi<Request extends z.ZodType = z.ZodType, Response extends z.ZodType | undefined = z.ZodType | undefined> {
  path: string;
  bodyLimitBytes: number;
  request: Request;
  /** `undefined`: the answer is 204 with no body. */
  response: Response;
}

/**
 * An internal API that an outbox relay delivers one topic to: its request is the relay's
 * envelope `{"topic", "messages"}` (httpDelivery), at most `batchSize` messages per call, which
 * the body limit must hold, each call answered within `timeoutMs`.
 */
export interface RelayedApi<Request extends z.ZodType = z.ZodType, Response extends z.ZodType | undefined = z.ZodType | undefined>
  extends InternalApi<Request, Response> {
  topic: string;
  batchSize: number;
  timeoutMs: number;
}

/** A value the caller passes on from a client (a user agent, an operation name): kept, but never longer than this. */
const passedOn = z
  .string()
  .nullish()
  .transform((value) => (value ? value.slice(0, 500) : null));

/** Identity, for the gateway only: does the session behind this token (in the Authorization header) still stand with its role? */
export const SESSION_STATUS = {
  path: '/internal/session-status',
  bodyLimitBytes: 1024,
  request: z.object({}),
  response: z.object({ active: z.boolean() }),
} satisfies InternalApi;

/** Identity, for the gateway only: a short-lived access token for the API key in the Authorization header. */
export const API_KEY_EXCHANGE = {
  path: '/internal/api-keys/exchange',
  bodyLimitBytes: 1024,
  request: z.object({}),
  response: z.object({ accessToken: z.string().min(1), expiresAt: z.iso.datetime() }),
} satisfies InternalApi;

/** Identity, for the gateway only: record in the visited tenant's audit log a request the support session (the bearer) makes, before it runs. */
export const SUPPORT_REQUEST = {
  path: '/internal/support-requests',
  bodyLimitBytes: 4096,
  request: z.object({
    operation: passedOn.transform((value) => value ?? 'anonymous operation'),
    documentHash: passedOn,
    clientIp: passedOn,
    userAgent: passedOn,
  }),
  response: undefined,
} satisfies InternalApi;

/**
 * Audit, for producing services' outbox relays (their own service credential as bearer):
 * append a batch of audit records (a relay batch: at most 100), idempotently by id.
 */
export const AUDIT_INGEST = {
  path: '/internal/audit/events',
  topic: 'audit',
  batchSize: 100,
  timeoutMs: 10_000,
  bodyLimitBytes: 5 * 1024 * 1024,
  request: z.object({
    topic: z.string().optional(),
    messages: z.array(z.unknown()),
  }),
  response: z.object({ appended: z.number().int(), duplicates: z.number().int() }),
} satisfies RelayedApi;

const hex = (bytes: number) => z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`));

/**
 * Audit, for a producing service (its own service credential as bearer): every record it
 * produced about these subjects in one tenant's log, each with its inclusion proof against one
 * signed checkpoint of that log, and the key that checks the checkpoint. A proofpack embeds the
 * answer, so its auditor needs neither our database nor our API.
 */
export const AUDIT_PROOFS = {
  path: '/internal/audit/proofs',
  bodyLimitBytes: 256 * 1024,
  request: z.object({
    tenantId: z.uuid(),
    subjects: z
      .array(z.object({ type: z.string().min(1).max(100), id: z.string().min(1).max(200) }))
      .min(1)
      .max(1000),
  }),
  response: z.object({
    checkpoint: z.object({
      origin: z.string(),
      treeSize: z.number().int().nonnegative(),
      rootHash: hex(32),
      body: z.string(),
      signature: z.string(),
      keyId: z.string(),
    }),
    checkpointKey: z.record(z.string(), z.unknown()),
    events: z.array(z.object({ record: z.record(z.string(), z.unknown()), leafIndex: z.number().int().nonnegative(), auditPath: z.array(hex(32)) })),
  }),
} satisfies InternalApi;

/** An access review's report CSV: at most this many bytes of UTF-8 (20 MiB). */
export const ACCESS_REVIEW_CSV_MAX_BYTES = 20 * 1024 * 1024;

const [TAB, LF, CR] = [0x09, 0x0a, 0x0d];

/**
 * Whether the text has control characters other than tab, LF and CR: JSON escapes each as
 * `\u00XX`, six bytes for one, and no report needs them. Without them the CSV's JSON string is
 * at most twice its bytes (`"`, `\`, tab, LF and CR become two bytes; everything else, UTF-8
 * included, stays as it is), which is what sizes the body limit below.
 */
function escapesToSixBytes(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 && code !== TAB && code !== LF && code !== CR) return true;
  }
  return false;
}

const count = z.number().int().min(0);

/**
 * What identity's outbox announces as `access_review.completed`, the review's report as
 * evidence records it. `completedBy` is the user who completed the review (the review's creator
 * when it completed on its own); `csv` is the report (every item, its decision, justification
 * and reviewer), `csvSha256` the hex SHA-256 of its UTF-8 bytes, checked on arrival. `counts`
 * mirror the review's summary: `total` items, of which `kept`, `revoked`, `changed` (a new role)
 * and `pending` (undecided when it completed).
 */
export const accessReviewCompletedSchema = z
  .object({
    reviewId: z.uuid(),
    tenantId: z.uuid(),
    title: z.string().trim().min(1).max(300),
    completedAt: z.iso.datetime(),
    completedBy: z.uuid(),
    csv: z
      .string()
      .min(1)
      .max(ACCESS_REVIEW_CSV_MAX_BYTES)
      .refine((csv) => Buffer.byteLength(csv, 'utf8') <= ACCESS_REVIEW_CSV_MAX_BYTES, `must be at most ${ACCESS_REVIEW_CSV_MAX_BYTES} bytes of UTF-8`)
      .refine((csv) => !escapesToSixBytes(csv), 'must not contain control characters other than tab, CR and LF'),
    csvSha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase hex SHA-256'),
    counts: z
      .object({ total: count, kept: count, revoked: count, changed: count, pending: count })
      .refine((c) => c.kept + c.revoked + c.changed + c.pending === c.total, 'kept, revoked, changed and pending must add up to total'),
  })
  .strict();
export type AccessReviewCompleted = z.infer<typeof accessReviewCompletedSchema>;

export const ACCESS_REVIEW_COMPLETED_TOPIC = 'access_review.completed';

/** The outbox message of the relay's envelope (OutboxMessage), whose tenant is its payload's. */
const accessReviewCompletedMessage = z
  .object({
    id: z.uuid(),
    topic: z.literal(ACCESS_REVIEW_COMPLETED_TOPIC),
    tenantId: z.uuid(),
    occurredAt: z.iso.datetime(),
    payload: accessReviewCompletedSchema,
  })
  .refine((message) => message.tenantId === message.payload.tenantId, {
    message: 'the message and its payload name different tenants',
    path: ['payload', 'tenantId'],
  });

/**
 * Evidence, for identity's outbox relay (identity's own report credential as bearer): record
 * a completed access review's report as approved SYSTEM evidence, idempotently by message id
 * and by review. One report per call, so the limit holds the largest: its CSV JSON-escaped at
 * twice its bytes (see escapesToSixBytes) plus 1 MiB for the title, the envelope and the
 * other fields. The relay waits a minute for it (20 MiB hashed, stored and fsynced).
 */
export const ACCESS_REVIEW_REPORT = {
  path: '/internal/evidence/access-review-reports',
  topic: ACCESS_REVIEW_COMPLETED_TOPIC,
  batchSize: 1,
  timeoutMs: 60_000,
  bodyLimitBytes: 2 * ACCESS_REVIEW_CSV_MAX_BYTES + 1024 * 1024,
  request: z.object({
    topic: z.literal(ACCESS_REVIEW_COMPLETED_TOPIC),
    messages: z.array(accessReviewCompletedMessage).length(1),
  }),
  response: z.object({ recorded: z.number().int(), duplicates: z.number().int() }),
} satisfies RelayedApi;

/** A tenant's settings as other services need them (subprocessors: the notice period, whether its public page is on). */
export const tenantSettingsSchema = z.object({
  tenantId: z.uuid(),
  slug: z.string().min(1),
  name: z.string().min(1),
  subprocessorNoticeDays: z.number().int().min(0),
  publicSubprocessorPage: z.boolean(),
});
export type TenantSettings = z.infer<typeof tenantSettingsSchema>;

/**
 * Identity, for the subprocessors service (its own directory credential as bearer): a tenant's
 * settings by id or by slug. An unknown tenant is an answer (`tenant: null`), not an error, so
 * the caller can answer 404 or refuse the request without retrying.
 */
export const TENANT_SETTINGS = {
  path: '/internal/identity/tenant-settings',
  bodyLimitBytes: 1024,
  request: z.union([z.object({ tenantId: z.uuid() }).strict(), z.object({ slug: z.string().min(1).max(100) }).strict()]),
  response: z.object({ tenant: tenantSettingsSchema.nullable() }),
} satisfies InternalApi;

/**
 * Identity, for the subprocessors service (its own directory credential as bearer): who a
 * principal of a tenant is now. For a USER its membership in that tenant (display name, role;
 * active while the membership is not revoked), for an API_KEY the key (name, role; active while
 * neither revoked nor expired); `principal: null` when the tenant has no such member or key.
 */
export const PRINCIPAL_STATUS = {
  path: '/internal/identity/principal-status',
  bodyLimitBytes: 1024,
  request: z.object({ tenantId: z.uuid(), kind: z.enum(['USER', 'API_KEY']), subjectId: z.uuid() }).strict(),
  response: z.object({ principal: z.object({ name: z.string(), role: z.enum(ROLES), active: z.boolean() }).nullable() }),
} satisfies InternalApi;
