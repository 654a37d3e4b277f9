import { randomBytes } from 'node:crypto';
import { loadSubprocessorsConfig } from './config';

const REQUIRED = {
  DATABASE_URL: 'postgres://subprocessors_app@127.0.0.1/cg',
  DATABASE_WORKER_URL: 'postgres://subprocessors_worker@127.0.0.1/cg',
  ROUTER_SECRET: 'config-spec-router-secret-0123456789',
  INTERNAL_SERVICE_TOKEN: 'config-spec-ingest-token-0123456789abc',
  IDENTITY_DIRECTORY_TOKEN: 'config-spec-directory-token-0123456789',
  WEBHOOK_SECRET_KEY: randomBytes(32).toString('base64'),
};

describe('subprocessors configuration', () => {
  it('reads the webhook key and defaults the delivery limits (10 s, 64 KiB, 24 h, backoff up to an hour)', () => {
    const config = loadSubprocessorsConfig(REQUIRED);
    expect(config.WEBHOOK_SECRET_KEY).toEqual(Buffer.from(REQUIRED.WEBHOOK_SECRET_KEY, 'base64'));
    expect(config).toMatchObject({
      WEBHOOK_TIMEOUT_MS: 10_000,
      WEBHOOK_MAX_RESPONSE_BYTES: 65_536,
      WEBHOOK_RETRY_WINDOW_SECONDS: 86_400,
      WEBHOOK_MAX_BACKOFF_MS: 3_600_000,
    });
  });

  it.each([
    ['missing', undefined, 'WEBHOOK_SECRET_KEY'],
    ['too short', randomBytes(16).toString('base64'), 'WEBHOOK_SECRET_KEY: the key must decode to exactly 32 bytes, got 16'],
    ['not base64', '!'.repeat(44), 'WEBHOOK_SECRET_KEY: the key must be base64'],
  ])('fails fast when the webhook key is %s, naming it', (_case, value, message) => {
    expect(() => loadSubprocessorsConfig({ ...REQUIRED, WEBHOOK_SECRET_KEY: value })).toThrow(message);
  });

  it('refuses a delivery timeout beyond a minute', () => {
    expect(() => loadSubprocessorsConfig({ ...REQUIRED, WEBHOOK_TIMEOUT_MS: '600000' })).toThrow('WEBHOOK_TIMEOUT_MS');
  });
});
