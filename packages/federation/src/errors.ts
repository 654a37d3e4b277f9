import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import type { ErrorRequestHandler } from 'express';
import { ErrorCode, PUBLIC_ERROR_CODES, PUBLIC_ERROR_EXTENSIONS } from '@compliance-graph/auth';

const GENERIC_MESSAGE = 'Internal server error';

/** True for errors a client may see as they are: they carry a contract code. */
export function isPublicError(formatted: GraphQLFormattedError): boolean {
  const code = formatted.extensions?.code;
  return typeof code === 'string' && code !== ErrorCode.INTERNAL_SERVER_ERROR && PUBLIC_ERROR_CODES.has(code);
}

/**
 * Keeps message, locations, path, the code and the documented extensions of a coded error;
 * replaces everything else (database errors, plain Errors, library internals) with a generic
 * INTERNAL_SERVER_ERROR. The original is logged with the request id by `logUnexpectedErrors`.
 */
export function maskError(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const { locations, path } = formatted;
  if (!isPublicError(formatted)) {
    return { message: GENERIC_MESSAGE, locations, path, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
  }
  const extensions: Record<string, unknown> = { code: formatted.extensions!.code };
  for (const key of PUBLIC_ERROR_EXTENSIONS) {
    if (formatted.extensions![key] !== undefined) extensions[key] = formatted.extensions![key];
  }
  return { message: formatted.message, locations, path, extensions };
}

/** Unwraps the error a resolver threw, for logging. */
export const originalError = (error: unknown) => unwrapResolverError(error);

/**
 * Express error handler for failures before GraphQL runs (a malformed or oversized JSON
 * body): a coded JSON answer, GraphQL-shaped on /graphql, never a stack trace.
 */
export const jsonErrorHandler: ErrorRequestHandler = (error, req, res, _next) => {
  const status = typeof error?.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 500;
  const code = status === 413 ? 'PAYLOAD_TOO_LARGE' : status < 500 ? 'BAD_REQUEST' : ErrorCode.INTERNAL_SERVER_ERROR;
  const message = status === 413 ? 'Request body too large' : status < 500 ? 'Malformed request body' : GENERIC_MESSAGE;
  if (req.path.startsWith('/graphql')) res.status(status).json({ errors: [{ message, extensions: { code } }] });
  else res.status(status).json({ error: { code, message } });
};
