import { badUserInput } from '@compliance-graph/auth';

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]{2,63}$/;
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
export const MIN_PASSWORD_LENGTH = 12;
/** argon2 would hash anything; a cap keeps a megabyte "password" from costing us a megabyte. */
const MAX_PASSWORD_LENGTH = 1024;

/** Emails are compared trimmed and lower-cased, so one person is one user. */
export function normaliseEmail(input: string): string {
  const email = input.trim().toLowerCase();
  if (!EMAIL.test(email)) throw badUserInput('email is not a valid address');
  return email;
}

export function assertSlug(slug: string): string {
  if (!SLUG.test(slug)) throw badUserInput("slug must be 1-63 lowercase letters, digits or '-', not starting or ending with '-'");
  return slug;
}

export function assertPassword(password: string, field = 'password'): string {
  if (password.length < MIN_PASSWORD_LENGTH) throw badUserInput(`${field} must be at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > MAX_PASSWORD_LENGTH) throw badUserInput(`${field} must be at most ${MAX_PASSWORD_LENGTH} characters`);
  return password;
}

export function assertText(value: string, field: string, max = 200): string {
  const text = value.trim();
  if (text.length === 0 || text.length > max) throw badUserInput(`${field} must be 1-${max} characters`);
  return text;
}
