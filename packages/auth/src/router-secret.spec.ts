import { isRouterSecret } from './router-secret';

describe('isRouterSecret', () => {
  const secret = 'x'.repeat(40);

  it('accepts exactly the configured secret', () => {
    expect(isRouterSecret(secret, secret)).toBe(true);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['a prefix', secret.slice(0, 39)],
    ['repeated header', [secret, secret]],
    ['another secret', 'y'.repeat(40)],
  ])('refuses %s', (_label, presented) => {
    expect(isRouterSecret(presented as string | string[] | undefined, secret)).toBe(false);
  });
});
