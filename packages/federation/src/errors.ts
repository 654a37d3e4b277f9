import type { GraphQLFormattedError } from 'graphql';
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
 * INTERNAL_SERVER_ERROR. The original is logged with the request id by the runtime's `errorLoggingPlugin`.
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
