import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SESSION_STATUS } from '@compliance-graph/internal-api';

/** What a subgraph route saw of one proxied request. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  bytes: number;
  /** SHA-256 (hex) of the whole body, once it arrived complete. */
  sha256?: string;
  /** Settles once the request is over: `complete` false when it was cut off before its body ended. */
  settled: Promise<{ complete: boolean }>;
  /** Settles once the answer is over: `finished` false when the connection went away first. */
  answered: Promise<{ finished: boolean }>;
}

export type Answer = (req: IncomingMessage, res: ServerResponse, seen: SeenRequest) => void;

/** Answers once the body is in: 201, what it received, and headers a proxy must not pass on. */
export const echoDigest: Answer = (req, res, seen) => {
  req.on('end', () => {
    res.writeHead(201, {
      'content-type': 'application/json',
      'x-upstream': 'recorded',
      'keep-alive': 'timeout=5, max=77',
      'proxy-authenticate': 'Basic realm="subgraph"',
      trailer: 'x-digest',
    });
    res.end(JSON.stringify({ bytes: seen.bytes, sha256: seen.sha256 }));
  });
};

/** A subgraph on a real socket that records each request and answers as the test says. */
export async function startRecordingUpstream() {
  const seen: SeenRequest[] = [];
  const state: { answer: Answer } = { answer: echoDigest };
  const server: Server = createServer((req, res) => {
    // The edge's session check, for requests that carry a token.
    if (req.url === SESSION_STATUS.path) {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ active: true }));
      return;
    }
    const digest = createHash('sha256');
    const request: SeenRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      bytes: 0,
      settled: new Promise((resolve) => req.on('close', () => resolve({ complete: req.complete }))),
      answered: new Promise((resolve) => res.on('close', () => resolve({ finished: res.writableFinished }))),
    };
    req.on('data', (chunk: Buffer) => {
      request.bytes += chunk.length;
      digest.update(chunk);
    });
    req.on('end', () => {
      request.sha256 = digest.digest('hex');
    });
    seen.push(request);
    state.answer(req, res, request);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { url, seen, state, close };
}
