import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/*
 * RFC 6238 TOTP on node:crypto (HMAC-SHA-1, 6 digits, 30-second steps), the parameters every
 * authenticator app supports. It is a few lines of HMAC; a library would add a dependency tree
 * and still leave step bookkeeping (refusing a code of an already used step) to us.
 */

const STEP_SECONDS = 30;
const DIGITS = 6;
// One step either side tolerates clock drift and a code typed just as it rolled over.
const WINDOW_STEPS = 1;
// 160 bits: RFC 4226 requires at least 128 and recommends 160 (the size of an SHA-1 output).
const SECRET_BYTES = 20;
const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const TOTP_CODE = /^[0-9]{6}$/;

/** A fresh shared secret, base32 without padding as authenticator apps expect it. */
export function generateTotpSecret(): string {
  return encodeBase32(randomBytes(SECRET_BYTES));
}

/** The otpauth:// URI (Google Authenticator Key URI Format) an authenticator app scans as a QR code. */
export function totpUri({ secret, accountName, issuer }: { secret: string; accountName: string; issuer: string }): string {
  // The label is `issuer:account`; a colon inside either would make apps split it in the wrong place.
  if (issuer.includes(':') || accountName.includes(':')) throw new Error('TOTP issuer and account name must not contain ":"');
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(accountName)}`;
  const parameters = { secret, issuer, algorithm: 'SHA1', digits: String(DIGITS), period: String(STEP_SECONDS) };
  // encodeURIComponent rather than URLSearchParams: some apps show a `+` for a space literally.
  const query = Object.entries(parameters)
    .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
    .join('&');
  return `otpauth://totp/${label}?${query}`;
}

/**
 * Checks a code within ±1 step of `now` and returns the step it matched, for the caller to store.
 * Steps at or before `lastUsedStep` are not considered, so a code works once (RFC 6238 §5.2).
 * Returns null for a wrong or malformed code, or one whose step was already used.
 */
export function matchTotp(secret: string, code: string, now: Date, lastUsedStep: number | null): number | null {
  if (!TOTP_CODE.test(code)) return null;
  const key = decodeBase32(secret);
  const current = timeStep(now);
  for (let step = current - WINDOW_STEPS; step <= current + WINDOW_STEPS; step++) {
    if (lastUsedStep !== null && step <= lastUsedStep) continue;
    if (timingSafeEqual(Buffer.from(hotp(key, step, DIGITS)), Buffer.from(code))) return step;
  }
  return null;
}

/** The code an authenticator app shows at `now`. */
export function totpAt(secret: string, now: Date): string {
  return hotp(decodeBase32(secret), timeStep(now), DIGITS);
}

/** The RFC 6238 time step of an instant (T0 = Unix epoch). */
export function timeStep(now: Date): number {
  const milliseconds = now.getTime();
  if (!Number.isFinite(milliseconds)) throw new Error('TOTP needs a valid date');
  return Math.floor(milliseconds / 1000 / STEP_SECONDS);
}

// The helpers below are exported for tests and tools; the MFA slice needs only the functions above.

/** RFC 4226 HOTP with dynamic truncation; `digits` is a parameter so the RFC's 8-digit vectors can be checked. */
export function hotp(key: Buffer, counter: number, digits: number): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(message).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const truncated = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(truncated % 10 ** digits).padStart(digits, '0');
}

/** RFC 4648 base32 without padding. */
export function encodeBase32(bytes: Buffer): string {
  let bits = '';
  for (const byte of bytes) bits += byte.toString(2).padStart(8, '0');
  let text = '';
  for (let start = 0; start < bits.length; start += 5) {
    text += BASE32_ALPHABET[parseInt(bits.slice(start, start + 5).padEnd(5, '0'), 2)];
  }
  return text;
}

/** Decodes RFC 4648 base32 without padding; a stored secret that does not decode is a bug, so it throws. */
export function decodeBase32(text: string): Buffer {
  if (text.length === 0) throw new Error('TOTP secret is empty');
  let bits = '';
  for (const character of text) {
    const value = BASE32_ALPHABET.indexOf(character);
    if (value < 0) throw new Error('TOTP secret is not base32');
    bits += value.toString(2).padStart(5, '0');
  }
  const bytes = [];
  for (let start = 0; start + 8 <= bits.length; start += 8) bytes.push(parseInt(bits.slice(start, start + 8), 2));
  return Buffer.from(bytes);
}
