import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import { loadGatewayConfig } from '@compliance-graph/gateway';
import { closeAdmin } from '@compliance-graph/testing';
import { startAnotherGateway, startStack, type RunningGatewayOfKind, type Stack } from './stack';

const TYPENAME = JSON.stringify({ query: '{ __typename }' });
const NOTHING_ALLOWED = "default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'";

/** A self-signed certificate for 127.0.0.1, made by the system's OpenSSL for this run only. */
function selfSignedCertificate(dir: string): { certFile: string; keyFile: string } {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
  ], { stdio: 'ignore' });
  return { certFile, keyFile };
}

const postTypename = (url: string, dispatcher?: Agent) =>
  undiciFetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: TYPENAME, dispatcher });

describe('gateway transport security', () => {
  let stack: Stack;
  let tlsGateway: RunningGatewayOfKind;
  let dir: string;
  let trusting: Agent;

  beforeAll(async () => {
    stack = await startStack();
    dir = mkdtempSync(join(tmpdir(), 'cg-tls-'));
    const { certFile, keyFile } = selfSignedCertificate(dir);
    tlsGateway = await startAnotherGateway(stack, { TLS_CERT_FILE: certFile, TLS_KEY_FILE: keyFile });
    trusting = new Agent({ connect: { ca: readFileSync(certFile) } });
  });
  afterAll(async () => {
    await trusting.close();
    await tlsGateway.stop();
    await stack.stop();
    await closeAdmin();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves HTTPS with the configured certificate, with HSTS and the strict headers', async () => {
    expect(tlsGateway.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const answer = await postTypename(tlsGateway.url, trusting);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ data: { __typename: 'Query' } });
    expect(answer.headers.get('strict-transport-security')).toBe('max-age=63072000; includeSubDomains');
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
    expect(answer.headers.get('content-security-policy')).toBe(NOTHING_ALLOWED);
  });

  it('is really TLS: a client that does not trust the certificate, and plain HTTP on its port, get no answer', async () => {
    await expect(postTypename(tlsGateway.url)).rejects.toThrow(/fetch failed/);
    await expect(postTypename(tlsGateway.url.replace('https:', 'http:'))).rejects.toThrow(/fetch failed/);
  });

  it('sends the strict headers over plain HTTP too, but no HSTS, which a browser ignores there', async () => {
    const answer = await postTypename(stack.gatewayUrl);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('strict-transport-security')).toBeNull();
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
    expect(answer.headers.get('content-security-policy')).toBe(NOTHING_ALLOWED);
  });

  it('puts an allow-nothing CSP on error answers and health checks as well', async () => {
    for (const answer of [
      await undiciFetch(`${stack.gatewayUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' }),
      await undiciFetch(`${stack.gatewayUrl}/healthz`),
      await undiciFetch(`${stack.gatewayUrl}/no-such-route`),
    ]) {
      // Express's own 404 replaces the policy with its equally strict `default-src 'none'`.
      expect(answer.headers.get('content-security-policy')).toMatch(/^default-src 'none'(;|$)/);
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('refuses half a TLS configuration at start, naming the missing variable', () => {
    const config = { ROUTER_SECRET: 'r'.repeat(32) };
    expect(() => loadGatewayConfig({ ...config, TLS_CERT_FILE: join(dir, 'cert.pem') })).toThrow(/TLS_KEY_FILE: is required with TLS_CERT_FILE/);
    expect(() => loadGatewayConfig({ ...config, TLS_KEY_FILE: join(dir, 'key.pem') })).toThrow(/TLS_CERT_FILE: is required with TLS_KEY_FILE/);
  });
});
