import type { z } from 'zod';
import { ROUTER_SECRET_HEADER, internalError, unauthenticated } from '@compliance-graph/auth';
import type { InternalApi } from './api';

export interface InternalCall<Body> {
  /** The credential the API is about (a user's token, an API key), sent as bearer. */
  bearer: string;
  /** Sent as the router-secret header: the gateway's proof on gateway-only routes. */
  routerSecret: string;
  body?: Body;
  /** Default 3 s: the edge waits on these calls before every request. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 3000;

/**
 * Calls an internal API and answers its response, checked against the declared schema. A 401 is
 * the credential's fault (UNAUTHENTICATED); any other failure, an unexpected answer included,
 * fails closed with INTERNAL_SERVER_ERROR.
 */
export async function callInternalApi<Request extends z.ZodType, Response extends z.ZodType | undefined>(
  baseUrl: string,
  api: InternalApi<Request, Response>,
  call: InternalCall<z.input<Request>>,
): Promise<Response extends z.ZodType ? z.output<Response> : void> {
  let response: globalThis.Response;
  try {
    response = await fetch(`${baseUrl}${api.path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${call.bearer}`, [ROUTER_SECRET_HEADER]: call.routerSecret, 'content-type': 'application/json' },
      body: JSON.stringify(call.body ?? {}),
      signal: AbortSignal.timeout(call.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
  } catch {
    throw internalError();
  }
  if (response.status === 401) throw unauthenticated('Invalid, expired or revoked credentials');
  if (!response.ok) throw internalError();
  if (api.response === undefined) return undefined as never;
  const parsed = api.response.safeParse(await response.json().catch(() => undefined));
  if (!parsed.success) throw internalError();
  return parsed.data as never;
}
