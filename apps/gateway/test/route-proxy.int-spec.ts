import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import express from 'express';
import { ROUTER_SECRET_HEADER } from '@compliance-graph/auth';
import { createLogger } from '@compliance-graph/config';
import { REQUEST_ID_HEADER, requestScope } from '@compliance-graph/runtime';
import { freePort, mintToken, principal, testTokenVerifier } from '@compliance-graph/testing';
import { ApiKeyExchange, SessionCheck, SupportRequestLog, type EdgeAuthentication } from '@compliance-graph/edge';
import { mountRouteProxies } from '../src/route-proxy';
import { echoDigest, startRecordingUpstream } from './recording-upstream';

const ROUTER_SECRET = 'route-proxy-spec-router-secret-0123456789';
const MAX_UPLOAD_BYTES = 64 * 1024;
const UPLOADS = '/evidence/uploads';
const JWKS = '/.well-known/jwks.json';

/** Every subgraph at `subgraphUrl`, identity included: the edge asks it whether a token's session stands. */
async function edgeFor(subgraphUrl: string): Promise<EdgeAuthentication> {
  return {
    verifyAccessToken: await testTokenVerifier(),
    sessions: new SessionCheck(subgraphUrl, ROUTER_SECRET, 0),
    apiKeys: new ApiKeyExchange(subgraphUrl, ROUTER_SECRET),
    supportRequests: new SupportRequestLog(subgraphUrl, ROUTER_SECRET),
  };
}

/** The gateway's route proxy alone, on an ephemeral port, with every subgraph at `subgraphUrl`. */
async function startProxy(subgraphUrl: string, timeoutMs = 10_000) {
  const logLines: string[] = [];
  const app = express();
  app.use(requestScope({ continuesTrace: () => false }));
  const proxies = mountRouteProxies(app, {
    subgraphUrls: { identity: subgraphUrl, evidence: subgraphUrl, audit: subgraphUrl, subprocessors: subgraphUrl },
    routerSecret: ROUTER_SECRET,
    trustedProxies: [],
    edge: await edgeFor(subgraphUrl),
    maxUploadBytes: MAX_UPLOAD_BYTES,
    timeoutMs,
    logger: createLogger('gateway', 'error', { write: (line: string) => logLines.push(line) }),
  });
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await proxies.close();
  };
  return { url, logLines, close };
}

interface Received {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A request over node:http: without a content-length header, `chunks` go out chunked. */
function send(url: string, options: { method?: string; headers?: Record<string, string>; chunks?: Buffer[] } = {}): Promise<Received> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: options.method ?? 'POST', headers: options.headers }, (incoming) => {
      const parts: Buffer[] = [];
      incoming.on('data', (part: Buffer) => parts.push(part));
      incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: Buffer.concat(parts) }));
      incoming.on('error', reject);
    });
    outgoing.on('error', reject);
    Readable.from(options.chunks ?? []).pipe(outgoing);
  });
}

const json = (received: Received) => JSON.parse(received.body.toString('utf8'));
const sha256 = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest('hex');
const chunksOf = (count: number, size: number) => Array.from({ length: count }, () => randomBytes(size));

describe('route proxy over real sockets', () => {
  let upstream: Awaited<ReturnType<typeof startRecordingUpstream>>;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  beforeAll(async () => {
    upstream = await startRecordingUpstream();
    proxy = await startProxy(upstream.url);
  });
  beforeEach(() => {
    upstream.seen.length = 0;
    upstream.state.answer = echoDigest;
  });
  afterAll(async () => {
    await proxy.close();
    await upstream.close();
  });

  it('streams a chunked upload under the limit byte-exact, and passes the status and headers back without hop-by-hop ones', async () => {
    const chunks = chunksOf(6, 10_000);
    const answer = await send(`${proxy.url}${UPLOADS}`, { headers: { 'content-type': 'application/octet-stream' }, chunks });

    expect(answer.status).toBe(201);
    expect(json(answer)).toEqual({ bytes: 60_000, sha256: sha256(...chunks) });
    expect(upstream.seen).toHaveLength(1);
    expect(upstream.seen[0]).toMatchObject({ method: 'POST', url: UPLOADS, sha256: sha256(...chunks) });
    expect(answer.headers['x-upstream']).toBe('recorded');
    expect(answer.headers['content-type']).toBe('application/json');
    expect(answer.headers['keep-alive']).not.toMatch(/max=77/);
    expect(answer.headers['proxy-authenticate']).toBeUndefined();
    expect(answer.headers.trailer).toBeUndefined();
  });

  it('refuses a chunked body once it streams past the limit with a coded 413, and cuts the subgraph request off', async () => {
    const answer = await send(`${proxy.url}${UPLOADS}`, { chunks: chunksOf(16, 16 * 1024) });

    expect(answer.status).toBe(413);
    expect(json(answer)).toEqual({ error: { code: 'PAYLOAD_TOO_LARGE', message: 'Request body too large' } });
    expect(answer.headers.connection).toBe('close');
    expect(upstream.seen).toHaveLength(1);
    expect(await upstream.seen[0].settled).toEqual({ complete: false });
    expect(upstream.seen[0].bytes).toBeLessThanOrEqual(MAX_UPLOAD_BYTES);
  });

  it('refuses a declared Content-Length over the limit with a coded 413 before calling the subgraph', async () => {
    const body = randomBytes(MAX_UPLOAD_BYTES + 1);
    const answer = await send(`${proxy.url}${UPLOADS}`, { headers: { 'content-length': String(body.length) }, chunks: [body] });

    expect(answer.status).toBe(413);
    expect(json(answer).error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(upstream.seen).toHaveLength(0);
  });

  it('streams the answer as it comes, not once it is complete', async () => {
    const first = randomBytes(64 * 1024);
    const rest = chunksOf(32, 64 * 1024);
    let clientHasFirst!: () => void;
    const firstArrived = new Promise<void>((resolve) => (clientHasFirst = resolve));
    upstream.state.answer = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.write(first);
      // The rest only once the client holds the first chunk: a buffering proxy would wait forever.
      void firstArrived.then(() => Readable.from(rest).pipe(res));
    };

    const answer = await fetch(`${proxy.url}${JWKS}`);
    const parts: Buffer[] = [];
    for await (const part of answer.body as unknown as AsyncIterable<Uint8Array>) {
      parts.push(Buffer.from(part));
      clientHasFirst();
    }

    expect(answer.status).toBe(200);
    expect(sha256(...parts)).toBe(sha256(first, ...rest));
  });

  it('forwards the token, router secret, client address and request id, and of the client headers only the allowed ones', async () => {
    const token = await mintToken(principal('00000000-0000-4000-8000-000000000001', 'OWNER'));
    const answer = await send(`${proxy.url}${UPLOADS}`, {
      headers: {
        authorization: `Bearer ${token}`,
        'x-file-name': 'policy.pdf',
        cookie: 'session=client-cookie',
        'x-forwarded-for': '6.6.6.6',
        [ROUTER_SECRET_HEADER]: 'guessed',
      },
      chunks: [Buffer.from('%PDF-1.7')],
    });

    expect(answer.status).toBe(201);
    const { headers } = upstream.seen[0];
    expect(headers).toMatchObject({
      authorization: `Bearer ${token}`,
      [ROUTER_SECRET_HEADER]: ROUTER_SECRET,
      'x-forwarded-for': '127.0.0.1',
      'x-file-name': 'policy.pdf',
      [REQUEST_ID_HEADER]: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(headers.cookie).toBeUndefined();
  });

  it('refuses a forged token at the edge with a coded 401, before calling the subgraph', async () => {
    const answer = await send(`${proxy.url}${JWKS}`, { method: 'GET', headers: { authorization: 'Bearer forged.token.value' } });

    expect(answer.status).toBe(401);
    expect(json(answer).error.code).toBe('UNAUTHENTICATED');
    expect(upstream.seen).toHaveLength(0);
  });

  it.each(['/public/acme/subprocessors', '/public/acme/subprocessors.json', '/public/acme/subprocessors.atom'])(
    'serves the public route %s to anyone: a token, even a forged one, is neither checked nor forwarded; conditional headers are',
    async (path) => {
      upstream.state.answer = (_req, res) => {
        res.writeHead(304, { etag: 'W/"register"', 'cache-control': 'public, max-age=60' }).end();
      };
      const answer = await send(`${proxy.url}${path}`, {
        method: 'GET',
        headers: { authorization: 'Bearer forged.token.value', 'if-none-match': 'W/"register"', 'if-modified-since': 'Fri, 04 Dec 2026 00:00:00 GMT', cookie: 'a=b' },
      });

      expect(answer.status).toBe(304);
      expect(answer.headers).toMatchObject({ etag: 'W/"register"', 'cache-control': 'public, max-age=60' });
      expect(upstream.seen).toHaveLength(1);
      const { headers } = upstream.seen[0];
      expect(headers.authorization).toBeUndefined();
      expect(headers.cookie).toBeUndefined();
      expect(headers).toMatchObject({ 'if-none-match': 'W/"register"', 'if-modified-since': 'Fri, 04 Dec 2026 00:00:00 GMT', [ROUTER_SECRET_HEADER]: ROUTER_SECRET });
    },
  );

  it('answers only GET on the public routes', async () => {
    const answer = await send(`${proxy.url}/public/acme/subprocessors`, { method: 'POST', chunks: [Buffer.from('{}')] });

    expect(answer.status).toBe(404);
    expect(upstream.seen).toHaveLength(0);
  });

  it('cuts the subgraph request off when the client goes away mid-upload', async () => {
    const outgoing = request(`${proxy.url}${UPLOADS}`, { method: 'POST' });
    outgoing.on('error', () => undefined);
    outgoing.write(randomBytes(1024));
    while (upstream.seen.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    outgoing.destroy();

    expect(await upstream.seen[0].settled).toEqual({ complete: false });
  });

  it('cuts the subgraph answer off when the client goes away mid-download', async () => {
    upstream.state.answer = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.write(randomBytes(1024));
    };
    const outgoing = request(`${proxy.url}${JWKS}`);
    outgoing.on('error', () => undefined);
    outgoing.end();
    const [incoming] = await once(outgoing, 'response');
    await once(incoming, 'data');
    outgoing.destroy();

    expect(await upstream.seen[0].answered).toEqual({ finished: false });
  });

  it('answers a coded 504 when the subgraph does not answer within the timeout', async () => {
    upstream.state.answer = () => undefined;
    const impatient = await startProxy(upstream.url, 200);
    try {
      const answer = await send(`${impatient.url}${JWKS}`, { method: 'GET' });

      expect(answer.status).toBe(504);
      expect(json(answer)).toEqual({ error: { code: 'GATEWAY_TIMEOUT', message: 'Service did not answer in time' } });
      expect(await upstream.seen[0].settled).toEqual({ complete: true });
      expect(impatient.logLines.join('\n')).toMatch(/route proxy failed/);
    } finally {
      await impatient.close();
    }
  });

  it('answers a coded 502 when nothing listens at the subgraph, and logs it without the router secret', async () => {
    const gone = await startProxy(`http://127.0.0.1:${await freePort()}`);
    try {
      const answer = await send(`${gone.url}${JWKS}`, { method: 'GET' });

      expect(answer.status).toBe(502);
      expect(json(answer)).toEqual({ error: { code: 'BAD_GATEWAY', message: 'Service unavailable' } });
      const logged = gone.logLines.map((line) => JSON.parse(line));
      expect(logged).toEqual([expect.objectContaining({ level: 'error', msg: 'route proxy failed', subgraph: 'identity' })]);
      expect(gone.logLines.join('\n')).not.toContain(ROUTER_SECRET);
    } finally {
      await gone.close();
    }
  });
});
