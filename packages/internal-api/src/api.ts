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
