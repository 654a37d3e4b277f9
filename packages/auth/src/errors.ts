import { GraphQLError } from 'graphql';

/**
 * The error codes clients see: the public contract's, the HTTP layer's for a request refused
 * before GraphQL or a route runs (BAD_REQUEST, PAYLOAD_TOO_LARGE), and the gateway's for a proxied
 * route whose subgraph cannot be reached (BAD_GATEWAY) or does not answer in time (GATEWAY_TIMEOUT).
 */
export const ErrorCode = {
  BAD_REQUEST: 'BAD_REQUEST',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  BAD_GATEWAY: 'BAD_GATEWAY',
  GATEWAY_TIMEOUT: 'GATEWAY_TIMEOUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  CONFLICT: 'CONFLICT',
  MFA_REQUIRED: 'MFA_REQUIRED',
  RATE_LIMITED: 'RATE_LIMITED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Apollo's own codes for documents that never reach a resolver. */
const APOLLO_CODES = ['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'PERSISTED_QUERY_NOT_FOUND'];

/** Codes a client may see; anything else is replaced by INTERNAL_SERVER_ERROR. */
export const PUBLIC_ERROR_CODES: ReadonlySet<string> = new Set([...Object.values(ErrorCode), ...APOLLO_CODES]);

/** Extensions besides `code` that the contract documents. */
export const PUBLIC_ERROR_EXTENSIONS = ['retryAfterSeconds'] as const;

export const HTTP_STATUS: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  PAYLOAD_TOO_LARGE: 413,
  BAD_GATEWAY: 502,
  GATEWAY_TIMEOUT: 504,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  MFA_REQUIRED: 403,
  NOT_FOUND: 404,
  BAD_USER_INPUT: 400,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  INTERNAL_SERVER_ERROR: 500,
};

const DEFAULT_MESSAGES: Record<ErrorCode, string> = {
  BAD_REQUEST: 'Malformed request body',
  PAYLOAD_TOO_LARGE: 'Request body too large',
  BAD_GATEWAY: 'Service unavailable',
  GATEWAY_TIMEOUT: 'Service did not answer in time',
  UNAUTHENTICATED: 'Authentication required',
  FORBIDDEN: 'Not allowed',
  NOT_FOUND: 'Not found',
  BAD_USER_INPUT: 'Invalid input',
  CONFLICT: 'Conflict',
  MFA_REQUIRED: 'Multi-factor authentication required',
  RATE_LIMITED: 'Too many attempts',
  INTERNAL_SERVER_ERROR: 'Internal server error',
};

/** A GraphQL error that carries a contract code; the only kind that reaches clients verbatim. */
export class CodedError extends GraphQLError {
  constructor(
    readonly code: ErrorCode,
    message: string = DEFAULT_MESSAGES[code],
    extensions: Record<string, unknown> = {},
  ) {
    super(message, { extensions: { ...extensions, code } });
    this.name = 'CodedError';
  }

  get httpStatus(): number {
    return HTTP_STATUS[this.code];
  }
}

export const unauthenticated = (message?: string) => new CodedError(ErrorCode.UNAUTHENTICATED, message);
export const forbidden = (message?: string) => new CodedError(ErrorCode.FORBIDDEN, message);
export const notFound = (message?: string) => new CodedError(ErrorCode.NOT_FOUND, message);
export const badUserInput = (message?: string) => new CodedError(ErrorCode.BAD_USER_INPUT, message);
export const conflict = (message?: string) => new CodedError(ErrorCode.CONFLICT, message);
export const mfaRequired = (message?: string) => new CodedError(ErrorCode.MFA_REQUIRED, message);
export const rateLimited = (retryAfterSeconds: number) =>
  new CodedError(ErrorCode.RATE_LIMITED, DEFAULT_MESSAGES.RATE_LIMITED, { retryAfterSeconds });
export const internalError = () => new CodedError(ErrorCode.INTERNAL_SERVER_ERROR);

/** The JSON body of a non-GraphQL route's error answer. */
export function httpErrorBody(error: CodedError): { error: { code: string; message: string } } {
  return { error: { code: error.code, message: error.message } };
}

/** Answers a non-GraphQL route's error: the code's HTTP status and `{"error": {"code", "message"}}`. */
export function sendHttpError(res: { status(code: number): { json(body: unknown): unknown } }, error: CodedError): void {
  res.status(error.httpStatus).json(httpErrorBody(error));
}
