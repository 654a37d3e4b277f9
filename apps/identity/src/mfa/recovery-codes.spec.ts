import { createHash } from 'node:crypto';
import { generateRecoveryCodes, hashRecoveryCode, looksLikeRecoveryCode, normaliseRecoveryCode } from './recovery-codes';

const FORMAT = /^[23456789abcdefghjkmnpqrstuvwxyz]{4}-[23456789abcdefghjkmnpqrstuvwxyz]{4}-[23456789abcdefghjkmnpqrstuvwxyz]{4}$/;

describe('generateRecoveryCodes', () => {
  it('gives ten distinct codes of three groups of four unambiguous characters', () => {
    const codes = generateRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(FORMAT);
  });

  it('never uses characters that are easy to misread', () => {
    const characters = generateRecoveryCodes().join('');
    expect(characters).not.toMatch(/[01ilo]/);
  });

  it('gives new codes each time', () => {
    const first = new Set(generateRecoveryCodes());
    expect(generateRecoveryCodes().some((code) => first.has(code))).toBe(false);
  });

  it('uses the whole alphabet (randomness is spread, not stuck on a few characters)', () => {
    const characters = new Set(Array.from({ length: 20 }, generateRecoveryCodes).flat().join('').replaceAll('-', ''));
    expect(characters.size).toBe(31);
  });
});

describe('normaliseRecoveryCode', () => {
  it.each([
    'k7wm-3qfa-zr9e',
    'K7WM-3QFA-ZR9E',
    'k7wm3qfazr9e',
    'k7wm 3qfa zr9e',
    '  k7wm - 3qfa - zr9e  ',
    'k7wm\u20133qfa\u2013zr9e',
    'K7wM3qFa-zR9e\n',
  ])('reads "%s" as k7wm3qfazr9e', (input) => {
    expect(normaliseRecoveryCode(input)).toBe('k7wm3qfazr9e');
  });
});

describe('looksLikeRecoveryCode', () => {
  it.each(['k7wm-3qfa-zr9e', 'K7WM 3QFA ZR9E', 'k7wm3qfazr9e'])('is true for "%s"', (input) => {
    expect(looksLikeRecoveryCode(input)).toBe(true);
  });

  it.each([
    ['a TOTP code', '123456'],
    ['a TOTP code with a space', '123 456'],
    ['a code one character short', 'k7wm-3qfa-zr9'],
    ['a code one character long', 'k7wm-3qfa-zr9ee'],
    ['a misreadable character', 'k7wm-3qfa-zr9o'],
    ['other characters', 'k7wm-3qfa-zr9!'],
    ['nothing', ''],
  ])('is false for %s', (_label, input) => {
    expect(looksLikeRecoveryCode(input)).toBe(false);
  });

  it('is true for every generated code', () => {
    expect(generateRecoveryCodes().every(looksLikeRecoveryCode)).toBe(true);
  });
});

describe('hashRecoveryCode', () => {
  const code = 'k7wm-3qfa-zr9e';
  const user = '3f0c2b8e-1d4a-4c6b-9e2f-5a7d8c9b0a1e';

  it('is a stable SHA-256 hex digest of the user id and the normalised code', () => {
    expect(hashRecoveryCode(code, user)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashRecoveryCode(code, user)).toBe(hashRecoveryCode(code, user));
    // sha256("3f0c2b8e-1d4a-4c6b-9e2f-5a7d8c9b0a1e\nk7wm3qfazr9e"), computed independently, pins the stored format.
    expect(hashRecoveryCode(code, user)).toBe(createHash('sha256').update(`${user}\nk7wm3qfazr9e`).digest('hex'));
  });

  it('matches however the user spells the code', () => {
    expect(hashRecoveryCode('K7WM 3QFA ZR9E', user)).toBe(hashRecoveryCode(code, user));
    expect(hashRecoveryCode('k7wm3qfazr9e', user)).toBe(hashRecoveryCode(code, user));
  });

  it('differs for different codes, and for the same code of another user', () => {
    expect(hashRecoveryCode('k7wm-3qfa-zr9f', user)).not.toBe(hashRecoveryCode(code, user));
    expect(hashRecoveryCode(code, '00000000-0000-4000-8000-000000000000')).not.toBe(hashRecoveryCode(code, user));
  });

  it('does not contain the code', () => {
    const hash = hashRecoveryCode(code, user);
    expect(hash).not.toContain('k7wm3qfazr9e');
    for (const group of code.split('-')) expect(hash).not.toContain(group);
  });
});
