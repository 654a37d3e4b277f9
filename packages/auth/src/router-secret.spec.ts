import { matchesSecret } from './router-secret';

describe('matchesSecret', () => {
  const secret = 'x'.repeat(40);

  it('accepts exactly the configured secret', () => {
    expect(matchesSecret(secret, secret)).toBe(true);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['a prefix', secret.slice(0, 39)],
    ['repeated header', [secret, secret]],
    ['another secret', 'y'.repeat(40)],
  ])('refuses %s', (_label, presented) => {
    expect(matchesSecret(presented as string | string[] | undefined, secret)).toBe(false);
  });
});
