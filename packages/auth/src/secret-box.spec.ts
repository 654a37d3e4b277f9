import { randomBytes } from 'node:crypto';
import { openSecret, parseEncryptionKey, sealSecret } from './secret-box';

const key = randomBytes(32);
const context = 'totp:3f6c1a52-8d0e-4c8b-9b1e-2a7d5e4f6a10';
const plaintext = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

/** Flips one bit of the decoded bytes of part `index` (1 = IV, 2 = ciphertext, 3 = tag). */
function tamper(sealed: string, index: number): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[index], 'base64url');
  bytes[0] ^= 0x01;
  parts[index] = bytes.toString('base64url');
  return parts.join('.');
}

describe('parseEncryptionKey', () => {
  it('reads 32 bytes of base64, as the launcher generates them', () => {
    const bytes = randomBytes(32);
    expect(parseEncryptionKey(bytes.toString('base64')).equals(bytes)).toBe(true);
  });

  it('reads base64url and ignores surrounding whitespace (a key file with a newline)', () => {
    const bytes = randomBytes(32);
    expect(parseEncryptionKey(`${bytes.toString('base64url')}\n`).equals(bytes)).toBe(true);
  });

  it.each([
    ['16 bytes', randomBytes(16).toString('base64')],
    ['31 bytes', randomBytes(31).toString('base64')],
    ['33 bytes', randomBytes(33).toString('base64')],
    ['64 bytes', randomBytes(64).toString('base64')],
    ['nothing', ''],
  ])('refuses a key of %s', (_label, text) => {
    expect(() => parseEncryptionKey(text)).toThrow(/exactly 32 bytes|base64/);
  });

  it('refuses text that is not base64 rather than decoding what is left of it', () => {
    const text = randomBytes(32).toString('base64');
    expect(() => parseEncryptionKey(`${text.slice(0, 20)}!${text.slice(20)}`)).toThrow(/base64/);
  });

  it('does not echo the key in its error', () => {
    const text = randomBytes(16).toString('base64');
    expect(() => parseEncryptionKey(text)).toThrow(expect.objectContaining({ message: expect.not.stringContaining(text) }));
  });
});

describe('sealSecret and openSecret', () => {
  it('round-trip a secret, including non-ASCII text and the empty string', () => {
    for (const value of [plaintext, 'pässwörd ✓', '']) {
      expect(openSecret(key, sealSecret(key, value, context), context)).toBe(value);
    }
  });

  it('write v1.<iv>.<ciphertext>.<tag> in base64url, never the plaintext', () => {
    const sealed = sealSecret(key, plaintext, context);
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(sealed).not.toContain(plaintext);
  });

  it('seal the same plaintext differently each time (fresh IV)', () => {
    const first = sealSecret(key, plaintext, context);
    const second = sealSecret(key, plaintext, context);
    expect(first).not.toBe(second);
    expect(first.split('.')[1]).not.toBe(second.split('.')[1]);
  });

  it.each([
    ['IV', 1],
    ['ciphertext', 2],
    ['tag', 3],
  ])('refuse a tampered %s', (_label, index) => {
    const sealed = sealSecret(key, plaintext, context);
    expect(() => openSecret(key, tamper(sealed, index), context)).toThrow(/failed authentication/);
  });

  it('refuse another key', () => {
    const sealed = sealSecret(key, plaintext, context);
    expect(() => openSecret(randomBytes(32), sealed, context)).toThrow(/failed authentication/);
  });

  it('refuse another context (a value copied to another row)', () => {
    const sealed = sealSecret(key, plaintext, context);
    expect(() => openSecret(key, sealed, 'totp:another-user')).toThrow(/failed authentication/);
  });

  it('refuse an empty context', () => {
    expect(() => sealSecret(key, plaintext, '')).toThrow(/context/);
    expect(() => openSecret(key, sealSecret(key, plaintext, context), '')).toThrow(/context/);
  });

  it('refuse a key that is not 32 bytes', () => {
    expect(() => sealSecret(randomBytes(16), plaintext, context)).toThrow(/exactly 32 bytes/);
    expect(() => openSecret(randomBytes(16), sealSecret(key, plaintext, context), context)).toThrow(/exactly 32 bytes/);
  });

  describe('refuse malformed values', () => {
    const sealed = sealSecret(key, plaintext, context);
    const [, iv, ciphertext, tag] = sealed.split('.');

    it.each([
      ['empty', ''],
      ['no separators', sealed.replaceAll('.', '')],
      ['another version', `v2.${iv}.${ciphertext}.${tag}`],
      ['a missing part', `v1.${iv}.${ciphertext}`],
      ['an extra part', `${sealed}.${tag}`],
      ['a short IV', `v1.${iv.slice(0, 8)}.${ciphertext}.${tag}`],
      ['a truncated tag', `v1.${iv}.${ciphertext}.${tag.slice(0, 6)}`],
      ['padding', `v1.${iv}.${ciphertext}.${tag}==`],
      ['standard base64 characters', `v1.${iv}.${ciphertext}+/.${tag}`],
      ['whitespace', ` ${sealed}`],
    ])('%s', (_label, value) => {
      expect(() => openSecret(key, value, context)).toThrow(/malformed/);
    });
  });
});
