import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Express, Request, Response } from 'express';
import { CodedError, httpErrorBody } from '@compliance-graph/auth';
import type { Logger } from '@compliance-graph/config';
import { authenticateAtEdge, type EdgeAuthentication } from './edge-auth';
import { clientAddress } from './client-address';
import { forwardHeaders } from './forward-headers';

/** The non-GraphQL routes of the contract, each served by the subgraph that owns the data. */
export const PROXIED_ROUTES: ReadonlyArray<{ method: 'get' | 'post'; path: string; subgraph: string }> = [
  { method: 'get', path: '/.well-known/jwks.json', subgraph: 'identity' },
  { method: 'get', path: '/audit/export', subgraph: 'audit' },
  { method: 'post', path: '/evidence/uploads', subgraph: 'evidence' },
  { method: 'get', path: '/evidence/proofpacks/:id/download', subgraph: 'evidence' },
  { method: 'get', path: '/public/:tenantSlug/subprocessors', subgraph: 'subprocessors' },
  { method: 'get', path: '/public/:tenantSlug/subprocessors.json', subgraph: 'subprocessors' },
  { method: 'get', path: '/public/:tenantSlug/subprocessors.atom', subgraph: 'subprocessors' },
];

/** Client headers a subgraph route may need; everything else stays at the edge. */
const PASSED_REQUEST_HEADERS = ['accept', 'content-type', 'content-length', 'x-file-name', 'if-none-match'];
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-authenticate', 'trailer']);

export interface RouteProxyOptions {
  subgraphUrls: Record<string, string>;
  routerSecret: string;
  trustedProxies: readonly string[];
  edge: EdgeAuthentication;
  maxUploadBytes: number;
  logger: Logger;
}

function pick(headers: IncomingHttpHeaders, names: string[]): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of names) {
    const value = headers[name];
    if (typeof value === 'string') picked[name] = value;
  }
  return picked;
}

const sendError = (res: Response, error: CodedError) => res.status(error.httpStatus).json(httpErrorBody(error));

/** Streams the contract's HTTP routes to their subgraphs, so clients see a single origin. */
export function mountRouteProxies(app: Express, options: RouteProxyOptions): void {
  for (const route of PROXIED_ROUTES) {
    const target = new URL(options.subgraphUrls[route.subgraph]);
    app[route.method](route.path, async (req: Request, res: Response) => {
      const requestId = randomUUID();
      let token: string | undefined;
      try {
        const credentials = await authenticateAtEdge(req.headers.authorization, options.edge);
        token = credentials.token;
        if (token) {
          await options.edge.supportRequests.record(token, credentials.principal, {
            operation: `${req.method} ${req.path}`,
            documentHash: null,
            clientIp: clientAddress(req, options.trustedProxies),
            userAgent: req.headers['user-agent'],
          });
        }
      } catch (error) {
        if (error instanceof CodedError) return sendError(res, error);
        throw error;
      }
      if (Number(req.headers['content-length'] ?? 0) > options.maxUploadBytes) {
        return res.status(413).json({ error: { code: 'PAYLOAD_TOO_LARGE', message: 'Request body too large' } });
      }
      const upstream = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.originalUrl,
          headers: {
            ...pick(req.headers, PASSED_REQUEST_HEADERS),
            ...forwardHeaders(
              { token, clientIp: clientAddress(req, options.trustedProxies), userAgent: req.headers['user-agent'], requestId },
              options.routerSecret,
            ),
          },
        },
        (answer) => {
          for (const [name, value] of Object.entries(answer.headers)) {
            if (value !== undefined && !HOP_BY_HOP.has(name)) res.setHeader(name, value);
          }
          res.status(answer.statusCode ?? 502);
          answer.pipe(res);
        },
      );
      upstream.on('error', (error) => {
        options.logger.error({ requestId, subgraph: route.subgraph, error }, 'route proxy failed');
        if (!res.headersSent) res.status(502).json({ error: { code: 'INTERNAL_SERVER_ERROR', message: 'Service unavailable' } });
        else res.destroy();
      });
      req.pipe(upstream);
    });
  }
}
