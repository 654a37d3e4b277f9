import { badUserInput } from '@compliance-graph/auth';
import { assertStorable, textChecker, type InputLimits } from '@compliance-graph/federation';

/**
 * Every string argument of identity's graph and its limit (the README lists the same table).
 * The schema build checks every argument against it before its resolver runs, and refuses
 * NUL characters and unpaired surrogates everywhere.
 */
export const INPUT_LIMITS: InputLimits = {
  email: { max: 254 },
  tenantSlug: { max: 63 },
  tenantName: { max: 200 },
  displayName: { max: 200 },
  name: { max: 200 },
  'CreateApiKeyInput.name': { max: 100 },
  password: { min: 12, max: 256 },
  newPassword: { min: 12, max: 256 },
  currentPassword: { max: 256 },
  reason: { max: 2000 },
  totpCode: { max: 64 },
  code: { max: 64 },
  token: { max: 256 },
  refreshToken: { max: 256 },
  id: { max: 36 },
  membershipId: { max: 36 },
  tenantId: { max: 36 },
  after: { max: 512 },
  title: { max: 200 },
  itemId: { max: 36 },
  justification: { max: 2000 },
};

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]{2,63}$/;
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
export const MIN_PASSWORD_LENGTH = INPUT_LIMITS.password.min!;

/** Emails are compared trimmed and lower-cased, so one person is one user. */
export function normaliseEmail(input: string): string {
  const email = assertStorable(input, 'email').trim().toLowerCase();
  if (email.length > INPUT_LIMITS.email.max || !EMAIL.test(email)) throw badUserInput('email is not a valid address');
  return email;
}

export function assertSlug(slug: string): string {
  if (!SLUG.test(slug)) throw badUserInput("slug must be 1-63 lowercase letters, digits or '-', not starting or ending with '-'");
  return slug;
}

/** A password being set: `field` names the argument (password, newPassword) and its limits. */
export function assertPassword(password: string, field = 'password'): string {
  const { min = MIN_PASSWORD_LENGTH, max } = INPUT_LIMITS[field];
  assertStorable(password, field);
  if (password.length < min) throw badUserInput(`${field} must be at least ${min} characters`);
  if (password.length > max) throw badUserInput(`${field} must be at most ${max} characters`);
  return password;
}

/** Trimmed text of 1 to the table's maximum for `limit` (by default the field's own entry). */
export const assertText = textChecker(INPUT_LIMITS);
