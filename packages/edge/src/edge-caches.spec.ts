import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { principal } from '@compliance-graph/testing';
import { ApiKeyExchange } from './api-key-exchange';
import { SessionCheck } from './session-check';

/**
 * The gateway's two caches of identity's answers, against an HTTP server standing in for
 * identity's internal routes that counts the questions it gets.
 */
describe('edge caches', () => {
  let server: Server;
  let url: string;
  const asked: string[] = [];
  let reply: (path: string) => { status: number; body?: unknown } = () => ({ status: 200, body: { active: true } });

  beforeAll(async () => {
    server = createServer((req, res) => {
      asked.push(req.url!);
      const { status, body } = reply(req.url!);
      setTimeout(() => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? {})), 30);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => {
    asked.length = 0;
    reply = () => ({ status: 200, body: { active: true } });
  });

  const who = principal('00000000-0000-4000-8000-000000000001', 'MEMBER');
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('asks identity once for many concurrent requests of one session, and again after the TTL', async () => {
    const check = new SessionCheck(url, 'router-secret', 100);
    await Promise.all(Array.from({ length: 20 }, () => check.assertLive('token', who)));
    expect(asked).toEqual(['/internal/session-status']);
    await sleep(150);
    await Promise.all(Array.from({ length: 5 }, () => check.assertLive('token', who)));
    expect(asked).toHaveLength(2);
  });

  it('refuses an ended session, and remembers nothing when identity cannot answer', async () => {
    const check = new SessionCheck(url, 'router-secret', 5000);
    reply = () => ({ status: 200, body: { active: false } });
    await expect(check.assertLive('token', who)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    const other = principal('00000000-0000-4000-8000-000000000001', 'ADMIN');
    reply = () => ({ status: 500 });
    await expect(check.assertLive('token', other)).rejects.toMatchObject({ code: 'INTERNAL_SERVER_ERROR' });
    reply = () => ({ status: 200, body: { active: true } });
    await expect(check.assertLive('token', other)).resolves.toBeUndefined();
    expect(asked).toHaveLength(3);
  });

  it('asks every time with a TTL of 0', async () => {
    const check = new SessionCheck(url, 'router-secret', 0);
    for (let i = 0; i < 3; i++) await check.assertLive('token', who);
    expect(asked).toHaveLength(3);
  });

  it('exchanges an API key once for concurrent requests, and again when the token nears its expiry', async () => {
    let expiresAt = new Date(Date.now() + 15 * 60_000).toISOString();
    reply = () => ({ status: 200, body: { accessToken: `token-${asked.length}`, expiresAt } });
    const exchange = new ApiKeyExchange(url, 'router-secret');
    const tokens = await Promise.all(Array.from({ length: 10 }, () => exchange.exchange('cgk_one')));
    expect(new Set(tokens)).toEqual(new Set(['token-1']));
    expect(await exchange.exchange('cgk_one')).toBe('token-1');
    expect(asked).toHaveLength(1);

    // A token within 30 s of its expiry is used, not kept.
    expiresAt = new Date(Date.now() + 10_000).toISOString();
    expect(await exchange.exchange('cgk_two')).toBe('token-2');
    await sleep(5);
    expect(await exchange.exchange('cgk_two')).toBe('token-3');
  });
});
