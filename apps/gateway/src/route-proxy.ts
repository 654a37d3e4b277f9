import type { IncomingHttpHeaders } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { Express, Request, Response } from 'express';
import { Pool, errors as upstreamErrors } from 'undici';
import { CodedError, ErrorCode, sendHttpError } from '@compliance-graph/auth';
import type { Logger } from '@compliance-graph/config';
import { authenticateAtEdge, clientAddress, forwardHeaders, type EdgeAuthentication, type EdgeCredentials } from '@compliance-graph/edge';
import { inClientSpan, requestIdOf } from '@compliance-graph/runtime';
import { ByteLimit } from './byte-limit';

/**
 * The non-GraphQL routes of the contract, each served by the subgraph that owns the data. A
 * `public` route is for anyone: the edge checks no credential and forwards none, so what it
 * serves cannot depend on who asks (and a shared cache may keep it).
 */
export const PROXIED_ROUTES: ReadonlyArray<{ method: 'get' | 'post'; path: string; subgraph: string; public?: true }> = [
  { method: 'get', path: '/.well-known/jwks.json', subgraph: 'identity' },
  { method: 'get', path: '/audit/export', subgraph: 'audit' },
  { method: 'post', path: '/evidence/uploads', subgraph: 'evidence' },
  { method: 'get', path: '/evidence/proofpacks/:id/download', subgraph: 'evidence' },
  { method: 'get', path: '/public/:tenantSlug/subprocessors', subgraph: 'subprocessors', public: true },
  { method: 'get', path: '/public/:tenantSlug/subprocessors.json', subgraph: 'subprocessors', public: true },
  { method: 'get', path: '/public/:tenantSlug/subprocessors.atom', subgraph: 'subprocessors', public: true },
];

/** Client headers a subgraph route may need; everything else stays at the edge. */
const PASSED_REQUEST_HEADERS = ['accept', 'content-type', 'content-length', 'x-file-name', 'if-none-match', 'if-modified-since'];
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-authenticate', 'trailer']);

export interface RouteProxyOptions {
  subgraphUrls: Record<string, string>;
  routerSecret: string;
  trustedProxies: readonly string[];
  edge: EdgeAuthentication;
  maxUploadBytes: number;
  /** How long a subgraph may be silent, before its answer's headers and between its chunks. */
  timeoutMs: number;
  logger: Logger;
}

export interface RouteProxies {
  /** Closes the keep-alive connections to the subgraphs, once the server takes no more requests. */
  close(): Promise<void>;
}

function pick(headers: IncomingHttpHeaders, names: string[]): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of names) {
    const value = headers[name];
    if (typeof value === 'string') picked[name] = value;
  }
  return picked;
}

/** What the client is told when its subgraph fails it: silence is a timeout, anything else unreachable. */
function upstreamFailure(error: unknown): CodedError {
  const silent = error instanceof upstreamErrors.HeadersTimeoutError || error instanceof upstreamErrors.ConnectTimeoutError;
  return new CodedError(silent ? ErrorCode.GATEWAY_TIMEOUT : ErrorCode.BAD_GATEWAY);
}

/**
 * One request to its subgraph and the answer back, both streamed. A body (`maxBodyBytes` set) is
 * counted as it streams; past the limit the subgraph request is cut off and the client answered
 * 413. A client that goes away cuts the subgraph request off too. Rejects with what failed
 * upstream, once the client has had its coded answer (or its connection was closed mid-answer).
 */
async function streamThrough(pool: Pool, req: Request, res: Response, headers: Record<string, string>, maxBodyBytes?: number): Promise<void> {
  const clientGone = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) clientGone.abort();
  });
  try {
    const answer = await pool.request({
      method: req.method,
      path: req.originalUrl,
      headers,
      body: maxBodyBytes === undefined ? undefined : req.pipe(new ByteLimit(maxBodyBytes)),
      signal: clientGone.signal,
    });
    res.status(answer.statusCode);
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) res.setHeader(name, value);
    }
    await pipeline(answer.body, res);
  } catch (error) {
    if (clientGone.signal.aborted) return;
    // Only ByteLimit fails the request with a coded error.
    const overLimit = error instanceof CodedError;
    if (res.headersSent) res.destroy();
    else if (overLimit) {
      // The rest of the body is never read: the connection closes after the answer rather than waiting for it.
      res.setHeader('Connection', 'close');
      sendHttpError(res, error);
    } else sendHttpError(res, upstreamFailure(error));
    if (!overLimit) throw error;
  }
}

/**
 * Streams the contract's HTTP routes to their subgraphs, so clients see a single origin. Mounted
 * behind requestScope, which gives each request the id (and span) it forwards.
 */
export function mountRouteProxies(app: Express, options: RouteProxyOptions): RouteProxies {
  const pools = new Map<string, Pool>();
  const poolFor = (subgraph: string): Pool => {
    let pool = pools.get(subgraph);
    if (!pool) {
      pool = new Pool(new URL(options.subgraphUrls[subgraph]).origin, { headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs });
      pools.set(subgraph, pool);
    }
    return pool;
  };

  for (const route of PROXIED_ROUTES) {
    const pool = poolFor(route.subgraph);
    app[route.method](route.path, async (req: Request, res: Response) => {
      const requestId = requestIdOf(res);
      const clientIp = clientAddress(req, options.trustedProxies);
      let token: string | undefined;
      try {
        const credentials: EdgeCredentials = route.public ? {} : await authenticateAtEdge(req.headers.authorization, options.edge);
        token = credentials.token;
        if (token) {
          await options.edge.supportRequests.record(token, credentials.principal, {
            operation: `${req.method} ${req.path}`,
            documentHash: null,
            clientIp,
            userAgent: req.headers['user-agent'],
          });
        }
      } catch (error) {
        if (error instanceof CodedError) return sendHttpError(res, error);
        throw error;
      }
      if (Number(req.headers['content-length'] ?? 0) > options.maxUploadBytes) {
        return sendHttpError(res, new CodedError(ErrorCode.PAYLOAD_TOO_LARGE));
      }

      const headers = {
        ...pick(req.headers, PASSED_REQUEST_HEADERS),
        ...forwardHeaders({ token, clientIp, userAgent: req.headers['user-agent'], requestId }, options.routerSecret),
      };
      await inClientSpan(`${req.method} ${route.path}`, new URL(route.path, options.subgraphUrls[route.subgraph]), (traceHeaders) =>
        streamThrough(pool, req, res, { ...headers, ...traceHeaders }, route.method === 'post' ? options.maxUploadBytes : undefined),
      ).catch((error: unknown) => options.logger.error({ requestId, subgraph: route.subgraph, error }, 'route proxy failed'));
    });
  }

  return {
    async close() {
      await Promise.all([...pools.values()].map((pool) => pool.close()));
    },
  };
}
