import { z } from 'zod';

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
  bodyLimitBytes: 5 * 1024 * 1024,
  request: z.object({
    topic: z.string().optional(),
    messages: z.array(z.unknown()),
  }),
  response: z.object({ appended: z.number().int(), duplicates: z.number().int() }),
} satisfies InternalApi;

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
