import type { IncomingMessage } from 'node:http';
import { clientAddress, forwardedClient } from './client-address';

const request = (peer: string, forwardedFor?: string) =>
  ({ socket: { remoteAddress: peer }, headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {} }) as unknown as IncomingMessage;

describe('clientAddress', () => {
  it('uses the socket peer and ignores a client-written X-Forwarded-For', () => {
    expect(clientAddress(request('203.0.113.9', '198.51.100.1'), [])).toBe('203.0.113.9');
  });

  it('unwraps IPv4-mapped IPv6 peers', () => {
    expect(clientAddress(request('::ffff:203.0.113.9'), [])).toBe('203.0.113.9');
  });

  it('behind a trusted proxy takes the right-most untrusted hop, not what the client prepended', () => {
    const trusted = ['10.0.0.2', '10.0.0.3'];
    expect(clientAddress(request('10.0.0.2', '6.6.6.6, 198.51.100.7, 10.0.0.3'), trusted)).toBe('198.51.100.7');
  });

  it('falls back to the proxy itself when it forwarded nothing usable', () => {
    expect(clientAddress(request('10.0.0.2'), ['10.0.0.2'])).toBe('10.0.0.2');
  });
});

describe('forwardedClient', () => {
  it('takes the right-most entry no trusted proxy wrote, across repeated headers', () => {
    expect(forwardedClient(['6.6.6.6, 198.51.100.7', '10.0.0.3'], ['10.0.0.3'])).toBe('198.51.100.7');
  });

  it('finds none in an empty chain or one of trusted proxies only', () => {
    expect(forwardedClient(undefined, [])).toBeUndefined();
    expect(forwardedClient(' , ', [])).toBeUndefined();
    expect(forwardedClient('10.0.0.2, 10.0.0.3', ['10.0.0.2', '10.0.0.3'])).toBeUndefined();
  });
});
