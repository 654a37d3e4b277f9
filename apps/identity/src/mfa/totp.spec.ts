import { decodeBase32, encodeBase32, generateTotpSecret, hotp, matchTotp, timeStep, totpAt, totpUri } from './totp';

/** RFC 6238 Appendix B, SHA-1 rows: Unix time (seconds) and the 8-digit TOTP. */
const RFC6238_SHA1_VECTORS: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];
const RFC_SECRET_ASCII = Buffer.from('12345678901234567890', 'ascii');
const RFC_SECRET_BASE32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

const STEP = 30;
const at = (seconds: number) => new Date(seconds * 1000);

describe('RFC 6238 Appendix B (SHA-1)', () => {
  it.each(RFC6238_SHA1_VECTORS)('at %i s the 8-digit code is %s', (seconds, expected) => {
    expect(hotp(RFC_SECRET_ASCII, timeStep(at(seconds)), 8)).toBe(expected);
  });

  it.each(RFC6238_SHA1_VECTORS)('at %i s the 6-digit code is the last six digits of %s', (seconds, expected) => {
    expect(totpAt(RFC_SECRET_BASE32, at(seconds))).toBe(expected.slice(-6));
  });
});

describe('base32', () => {
  it('encodes and decodes RFC 4648 test vectors without padding', () => {
    expect(encodeBase32(RFC_SECRET_ASCII)).toBe(RFC_SECRET_BASE32);
    expect(encodeBase32(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
    expect(decodeBase32('MZXW6YTBOI').toString()).toBe('foobar');
  });

  it.each([
    ['lower case', RFC_SECRET_BASE32.toLowerCase()],
    ['padding', 'MZXW6YQ='],
    ['a digit outside the alphabet', 'MZXW6YT1'],
    ['nothing', ''],
  ])('refuses a secret with %s', (_label, secret) => {
    expect(() => decodeBase32(secret)).toThrow(/TOTP secret/);
  });
});

describe('generateTotpSecret', () => {
  it('gives 160 random bits as 32 base32 characters', () => {
    const secret = generateTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(decodeBase32(secret)).toHaveLength(20);
    expect(encodeBase32(decodeBase32(secret))).toBe(secret);
  });

  it('gives a different secret each time', () => {
    expect(new Set(Array.from({ length: 20 }, generateTotpSecret)).size).toBe(20);
  });
});

describe('totpUri', () => {
  it('names issuer, SHA1, 6 digits and 30 s, URL-encoded', () => {
    const uri = totpUri({ secret: RFC_SECRET_BASE32, accountName: 'ada+mfa@example.com', issuer: 'Compliance Graph' });
    expect(uri).toBe(
      'otpauth://totp/Compliance%20Graph:ada%2Bmfa%40example.com' +
        `?secret=${RFC_SECRET_BASE32}&issuer=Compliance%20Graph&algorithm=SHA1&digits=6&period=30`,
    );
  });

  it('parses back to the same values', () => {
    const uri = new URL(totpUri({ secret: RFC_SECRET_BASE32, accountName: 'ĳs & co@example.com', issuer: 'Acme/EU?' }));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Acme/EU?:ĳs & co@example.com');
    expect(Object.fromEntries(uri.searchParams)).toEqual({
      secret: RFC_SECRET_BASE32,
      issuer: 'Acme/EU?',
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
  });

  it('refuses a colon in issuer or account name (it separates the two in the label)', () => {
    expect(() => totpUri({ secret: RFC_SECRET_BASE32, accountName: 'a:b@example.com', issuer: 'Acme' })).toThrow(/":"/);
    expect(() => totpUri({ secret: RFC_SECRET_BASE32, accountName: 'a@example.com', issuer: 'Acme: EU' })).toThrow(/":"/);
  });
});

describe('matchTotp', () => {
  // A fixed secret and instant keep these cases deterministic: no code of the window below
  // happens to equal the code of another step used here.
  const secret = RFC_SECRET_BASE32;
  const now = at(1_700_000_015);
  const currentStep = timeStep(now);
  const codeAtStep = (step: number) => totpAt(secret, at(step * STEP));

  it('accepts the current code and returns its step', () => {
    expect(matchTotp(secret, totpAt(secret, now), now, null)).toBe(currentStep);
  });

  it.each([-1, 1])('accepts the code %i step away (clock drift)', (offset) => {
    expect(matchTotp(secret, codeAtStep(currentStep + offset), now, null)).toBe(currentStep + offset);
  });

  it.each([-2, 2])('refuses the code %i steps away', (offset) => {
    expect(matchTotp(secret, codeAtStep(currentStep + offset), now, null)).toBeNull();
  });

  it('refuses a code whose step was already used, and one of an earlier step', () => {
    expect(matchTotp(secret, totpAt(secret, now), now, currentStep)).toBeNull();
    expect(matchTotp(secret, codeAtStep(currentStep - 1), now, currentStep)).toBeNull();
  });

  it('still accepts a later step after an earlier one was used', () => {
    expect(matchTotp(secret, codeAtStep(currentStep + 1), now, currentStep)).toBe(currentStep + 1);
  });

  it('refuses a wrong code and the right code of another secret', () => {
    const right = totpAt(secret, now);
    expect(matchTotp(secret, String((Number(right) + 1) % 1_000_000).padStart(6, '0'), now, null)).toBeNull();
    expect(matchTotp(secret, totpAt('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', now), now, null)).toBeNull();
  });

  it.each(['12345', 'abcdef', '1234567', ' 123456', '123456 ', '123 456', '１２３４５６', ''])(
    'refuses the malformed code "%s"',
    (code) => {
      expect(matchTotp(secret, code, now, null)).toBeNull();
    },
  );
});

describe('timeStep', () => {
  it('counts 30-second steps from the Unix epoch', () => {
    expect(timeStep(at(0))).toBe(0);
    expect(timeStep(at(29.999))).toBe(0);
    expect(timeStep(at(STEP))).toBe(1);
    expect(timeStep(at(59))).toBe(1);
  });

  it('refuses an invalid date', () => {
    expect(() => timeStep(new Date(Number.NaN))).toThrow(/valid date/);
  });
});
