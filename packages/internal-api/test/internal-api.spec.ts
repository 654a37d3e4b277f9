import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { z } from 'zod';
import { ROUTER_SECRET_HEADER } from '@compliance-graph/auth';
import { createLogger } from '@compliance-graph/config';
import { AUDIT_INGEST, SUPPORT_REQUEST, callInternalApi, mountInternalApi, onlyServiceCredentials, onlyTheGateway, type InternalApi } from '../src';

const ROUTER_SECRET = 'internal-api-router-secret-0123456789abcdef';
const ECHO = { path: '/internal/echo', bodyLimitBytes: 256, request: z.object({ word: z.string().max(10) }), response: z.object({ said: z.string() }) } satisfies InternalApi;
const LYING = { ...ECHO, path: '/internal/lying' } satisfies InternalApi;

describe('internal APIs', () => {
  let server: Server;
  let url: string;
  const seen: unknown[] = [];

  beforeAll(async () => {
    const app = express();
    const logger = createLogger('test', 'error');
    mountInternalApi(app, ECHO, { guard: onlyTheGateway(ROUTER_SECRET), logger }, async ({ body, bearer }) => ({ said: `${body.word} for ${bearer}` }));
    mountInternalApi(app, LYING, { guard: onlyTheGateway(ROUTER_SECRET), logger }, async () => ({ said: 42 }) as never);
    mountInternalApi(app, SUPPORT_REQUEST, { guard: onlyTheGateway(ROUTER_SECRET), logger }, async ({ body }) => void seen.push(body));
    mountInternalApi(app, AUDIT_INGEST, { guard: onlyServiceCredentials({ identity: 'identity-credential-0123456789abcdef0123' }), logger }, async ({ caller, body }) => {
      seen.push(caller);
      return { appended: body.messages.length, duplicates: 0 };
    });
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }).then(async (r) => ({
      status: r.status,
      body: (r.status === 204 ? undefined : await r.json()) as { error: { code: string; message: string } } | undefined,
    }));

  it('answers a declared call of the gateway, parsed both ways', async () => {
    await expect(callInternalApi(url, ECHO, { bearer: 'token-1', routerSecret: ROUTER_SECRET, body: { word: 'hello' } })).resolves.toEqual({ said: 'hello for token-1' });
  });

  it('refuses a caller without the router secret before reading its body', async () => {
    expect(await post(ECHO.path, { word: 'hello' })).toEqual({ status: 403, body: { error: { code: 'FORBIDDEN', message: 'Only the gateway may ask' } } });
    expect(await post(ECHO.path, { word: 'hello' }, { [ROUTER_SECRET_HEADER]: 'a guess' })).toMatchObject({ status: 403 });
  });

  it('refuses a body its schema does not accept with BAD_USER_INPUT naming the field', async () => {
    const answer = await post(ECHO.path, { word: 'far too long a word' }, { [ROUTER_SECRET_HEADER]: ROUTER_SECRET });
    expect(answer.status).toBe(400);
    expect(answer.body?.error.code).toBe('BAD_USER_INPUT');
    expect(answer.body?.error.message).toMatch(/^word: /);
  });

  it('fails closed when the server answers what the declaration does not say', async () => {
    await expect(callInternalApi(url, LYING, { bearer: 'token', routerSecret: ROUTER_SECRET, body: { word: 'x' } })).rejects.toMatchObject({ code: 'INTERNAL_SERVER_ERROR' });
  });

  it('answers UNAUTHENTICATED to the caller when the service says 401, and INTERNAL_SERVER_ERROR when it cannot be reached', async () => {
    await expect(callInternalApi(url, AUDIT_INGEST, { bearer: 'not a credential', routerSecret: '', body: { messages: [] } })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(callInternalApi('http://127.0.0.1:9', ECHO, { bearer: 't', routerSecret: ROUTER_SECRET, body: { word: 'x' } })).rejects.toMatchObject({ code: 'INTERNAL_SERVER_ERROR' });
  });

  it('names the service whose credential was presented', async () => {
    seen.length = 0;
    const answer = await callInternalApi(url, AUDIT_INGEST, { bearer: 'identity-credential-0123456789abcdef0123', routerSecret: '', body: { messages: [{}, {}] } });
    expect({ answer, seen }).toEqual({ answer: { appended: 2, duplicates: 0 }, seen: ['identity'] });
  });

  it('keeps what a support request passes on from the client, cut to 500 characters, and answers 204', async () => {
    seen.length = 0;
    await callInternalApi(url, SUPPORT_REQUEST, { bearer: 't', routerSecret: ROUTER_SECRET, body: { operation: 'graphql q', documentHash: null, clientIp: '10.0.0.1', userAgent: 'u'.repeat(900) } });
    expect(seen).toEqual([{ operation: 'graphql q', documentHash: null, clientIp: '10.0.0.1', userAgent: 'u'.repeat(500) }]);
  });
});
