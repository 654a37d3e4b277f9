import { CodedError, ErrorCode } from '@compliance-graph/auth';
import { withHttpStatus } from '@compliance-graph/runtime';

export interface GraphqlParams {
  query?: string;
  operationName?: string;
  variables?: Record<string, unknown>;
  extensions?: Record<string, unknown>;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
/** Content types a browser sends cross-site without a preflight (the CSRF rule of Apollo Server, whose answers ours are). */
const SIMPLE_CONTENT_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']);
const PREFLIGHT_HEADERS = ['x-apollo-operation-name', 'apollo-require-preflight'];

const refused = (code: ErrorCode, message?: string) => withHttpStatus(new CodedError(code, message));

function assertNotCrossSite(request: Request, contentType: string | undefined): void {
  if (contentType && !SIMPLE_CONTENT_TYPES.has(contentType)) return;
  if (PREFLIGHT_HEADERS.some((name) => request.headers.get(name))) return;
  throw refused(
    ErrorCode.BAD_REQUEST,
    `This operation has been blocked as a potential Cross-Site Request Forgery (CSRF). Please either specify a 'content-type' header (with a type that is not one of ${[...SIMPLE_CONTENT_TYPES].join(', ')}) or provide a non-empty value for one of the following headers: ${PREFLIGHT_HEADERS.join(', ')}`,
  );
}

/** The body's bytes, refused past `limitBytes` as they arrive (a declared length is only a claim). */
async function readBody(request: Request, limitBytes: number): Promise<Buffer> {
  if (Number(request.headers.get('content-length') ?? 0) > limitBytes) throw refused(ErrorCode.PAYLOAD_TOO_LARGE);
  const chunks: Uint8Array[] = [];
  let received = 0;
  for await (const chunk of (request.body ?? []) as unknown as AsyncIterable<Uint8Array>) {
    received += chunk.length;
    if (received > limitBytes) throw refused(ErrorCode.PAYLOAD_TOO_LARGE);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw refused(ErrorCode.BAD_REQUEST);
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function jsonParameter(raw: string | null): Record<string, unknown> | undefined {
  if (raw === null) return undefined;
  const value = parseJson(raw);
  if (!isObject(value)) throw refused(ErrorCode.BAD_REQUEST);
  return value;
}

/**
 * A GraphQL request as our gateway reads one, in place of Hive's own parser (which takes batches,
 * form bodies and any size): GET with the query in the URL (queries only, Hive checks), or POST
 * with a JSON object of at most `limitBytes` in strict UTF-8; everything else a coded 400 or 413.
 */
export async function readGraphqlRequest(request: Request, limitBytes: number): Promise<GraphqlParams> {
  const contentType = request.headers.get('content-type')?.split(';')[0].trim().toLowerCase() || undefined;
  assertNotCrossSite(request, contentType);
  if (request.method === 'GET') {
    const search = new URL(request.url).searchParams;
    return {
      query: search.get('query') ?? undefined,
      operationName: search.get('operationName') ?? undefined,
      variables: jsonParameter(search.get('variables')),
      extensions: jsonParameter(search.get('extensions')),
    };
  }
  if (contentType !== 'application/json') throw refused(ErrorCode.BAD_REQUEST, 'POST body missing, invalid Content-Type, or JSON object has no keys.');
  let text: string;
  const body = await readBody(request, limitBytes);
  try {
    text = strictUtf8.decode(body);
  } catch {
    throw refused(ErrorCode.BAD_REQUEST);
  }
  const params = parseJson(text);
  if (Array.isArray(params)) throw refused(ErrorCode.BAD_REQUEST, 'Operation batching disabled.');
  if (!isObject(params)) throw refused(ErrorCode.BAD_REQUEST);
  return params as GraphqlParams;
}
