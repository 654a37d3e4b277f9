import { createHash, randomInt } from 'node:crypto';

const CODE_COUNT = 10;
const GROUPS = 3;
const GROUP_LENGTH = 4;
// Lower case without 0/o, 1/l/i, so a code read off paper or a screen is typed back right.
// 12 characters from these 31 give 12 × log2(31) ≈ 59 bits per code.
const ALPHABET = '23456789abcdefghjkmnpqrstuvwxyz';
const RECOVERY_CODE = new RegExp(`^[${ALPHABET}]{${GROUPS * GROUP_LENGTH}}$`);
// Whatever users type between groups: spaces, dashes, or the en dash a word processor makes of one.
const SEPARATORS = /[\s\p{Dash}]/gu;

/** Ten fresh single-use recovery codes, e.g. `k7wm-3qfa-zr9e`, shown to the user once. */
export function generateRecoveryCodes(): string[] {
  return Array.from({ length: CODE_COUNT }, generateRecoveryCode);
}

/** Lower case, with spaces and dashes removed, so `K7WM 3QFA ZR9E` is the same code as `k7wm-3qfa-zr9e`. */
export function normaliseRecoveryCode(input: string): string {
  return input.replace(SEPARATORS, '').toLowerCase();
}

/** Tells a recovery code from a TOTP code when a user types either into `totpCode`. */
export function looksLikeRecoveryCode(input: string): boolean {
  return RECOVERY_CODE.test(normaliseRecoveryCode(input));
}

/**
 * What is stored instead of the code. A SHA-256 rather than a slow password hash: the codes
 * are random with ≈59 bits each, not chosen by people, so there is no dictionary to try. The
 * user id salts it, so a stolen table cannot be attacked for all users' codes at once. The
 * code is normalised first so any spelling of it matches the stored hash.
 */
export function hashRecoveryCode(code: string, userId: string): string {
  return createHash('sha256').update(`${userId}\n${normaliseRecoveryCode(code)}`, 'utf8').digest('hex');
}

function generateRecoveryCode(): string {
  const groups = Array.from({ length: GROUPS }, () =>
    // randomInt draws without modulo bias, so every character carries the full log2(31) bits.
    Array.from({ length: GROUP_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join(''),
  );
  return groups.join('-');
}
