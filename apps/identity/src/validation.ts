import { badUserInput } from '@compliance-graph/auth';
import { unstorableText } from '@compliance-graph/audit-log';

/**
 * Every string argument of identity's graph and its limit, by argument or input field name
 * (`<InputType>.<field>` where one name means two things). The README lists the same table.
 * Every argument is checked against it before its resolver runs (argument-limits.ts; a string
 * argument without an entry fails the schema build), and NUL characters and unpaired
 * surrogates are refused everywhere, since PostgreSQL and audit records cannot store them.
 * `min` applies where the value is chosen (a new password), not where it is only compared.
 */
export const INPUT_LIMITS: Readonly<Record<string, { min?: number; max: number }>> = {
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
};

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]{2,63}$/;
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
export const MIN_PASSWORD_LENGTH = INPUT_LIMITS.password.min!;

/** Refuses what PostgreSQL cannot store, naming the field. */
export function assertStorable(value: string, field: string): string {
  const problem = unstorableText(value);
  if (problem) throw badUserInput(`${field} ${problem}`);
  return value;
}

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
export function assertText(value: string, field: string, limit = field): string {
  const { max } = INPUT_LIMITS[limit];
  const text = assertStorable(value, field).trim();
  if (text.length === 0 || text.length > max) throw badUserInput(`${field} must be 1-${max} characters`);
  return text;
}
