import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server as TlsServer } from 'node:tls';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { CodedError, ErrorCode, httpErrorBody, internalError } from '@compliance-graph/auth';
import type { Logger } from '@compliance-graph/config';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The JSON parser would turn bytes that are not UTF-8 into U+FFFD, which then pass for text
 * (an e-mail address, a reason) into records other services keep: such a body is refused.
 */
function refuseInvalidUtf8(_req: unknown, _res: unknown, body: Buffer): void {
  try {
    strictUtf8.decode(body);
  } catch {
    throw Object.assign(new Error('request body is not valid UTF-8'), { status: 400 });
  }
}

/** A JSON body of at most `limitBytes`, refused (answered by jsonErrorHandler) unless it is valid UTF-8. */
export const jsonBody = (limitBytes: number): RequestHandler => express.json({ limit: limitBytes, verify: refuseInvalidUtf8 });

/**
 * Express error handler for failures before GraphQL runs (a malformed or oversized JSON
 * body): a coded JSON answer with the parser's status, GraphQL-shaped on /graphql, never a
 * stack trace.
 */
export const jsonErrorHandler: ErrorRequestHandler = (error, req, res, _next) => {
  const status = typeof error?.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 500;
  const coded = status === 413 ? new CodedError(ErrorCode.PAYLOAD_TOO_LARGE) : status < 500 ? new CodedError(ErrorCode.BAD_REQUEST) : internalError();
  if (req.path.startsWith('/graphql')) res.status(status).json({ errors: [{ message: coded.message, extensions: { code: coded.code } }] });
  else res.status(status).json(httpErrorBody(coded));
};

/**
 * A coded error thrown while building a request's context: Apollo answers it with the status
 * in `extensions.http` (and strips that extension from the response).
 */
export function withHttpStatus(error: unknown): unknown {
  if (error instanceof CodedError) error.extensions.http = { status: error.httpStatus };
  return error;
}

/** Listens (port 0 picks a free one) and says where. */
export async function listen(httpServer: Server, host: string, port: number, logger: Logger): Promise<{ url: string; port: number }> {
  await new Promise<void>((resolve) => httpServer.listen(port, host, resolve));
  const bound = (httpServer.address() as AddressInfo).port;
  const url = `${httpServer instanceof TlsServer ? 'https' : 'http'}://${host}:${bound}`;
  logger.info({ url: `${url}/graphql` }, 'listening');
  return { url, port: bound };
}
