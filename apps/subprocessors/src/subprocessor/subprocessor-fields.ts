import countries from 'i18n-iso-countries';
import { z } from 'zod';
import { badUserInput } from '@compliance-graph/auth';
import { textChecker } from '@compliance-graph/federation';
import { SUBPROCESSORS_INPUT_LIMITS } from '../input-limits';
import type { SubprocessorInput } from '../change/change.inputs';
import type { SubprocessorFields } from './subprocessor.entity';

/** Enough for any real subprocessor, and bounded so one entry stays a small JSON object. */
export const MAX_DATA_CATEGORIES = 50;
export const MAX_LOCATIONS = 50;

const text = textChecker(SUBPROCESSORS_INPUT_LIMITS);
const optionalText = (value: string | null | undefined, field: string, limit = field) =>
  value === null || value === undefined || value.trim() === '' ? null : text(value, field, limit);

/** The officially assigned alpha-2 codes, from a maintained ISO 3166-1 list (not a pattern: "XX" has the shape). */
const ALPHA_2 = new Set(Object.keys(countries.getAlpha2Codes()));

const httpUrl = z.url({ protocol: /^https?$/, hostname: z.regexes.domain });

/** Distinct values in the order given, each checked by `check`. */
function distinctList(values: readonly string[], field: string, max: number, check: (value: string, path: string) => string): string[] {
  if (values.length > max) throw badUserInput(`${field} takes at most ${max} values`);
  return [...new Set(values.map((value, n) => check(value, `${field}[${n}]`)))];
}

/**
 * The entry a change carries, from the client's input: trimmed, bounded texts, a purpose and
 * at least one data category, ISO 3166-1 alpha-2 locations (upper-cased), an absolute http(s)
 * website. Bad input is BAD_USER_INPUT naming the field (`entry.locations[1]`).
 */
export function subprocessorFields(input: SubprocessorInput, prefix = 'entry'): SubprocessorFields {
  const field = (name: string) => `${prefix}.${name}`;
  const website = optionalText(input.website, field('website'), 'website');
  if (website !== null && !httpUrl.safeParse(website).success) throw badUserInput(`${field('website')} must be an absolute http(s) URL`);
  const dataCategories = distinctList(input.dataCategories, field('dataCategories'), MAX_DATA_CATEGORIES, (value, path) => text(value, path, 'dataCategories'));
  if (dataCategories.length === 0) throw badUserInput(`${field('dataCategories')} must name at least one category`);
  const locations = distinctList(input.locations, field('locations'), MAX_LOCATIONS, (value, path) => {
    const code = text(value, path, 'locations').toUpperCase();
    if (!ALPHA_2.has(code)) throw badUserInput(`${path} must be an ISO 3166-1 alpha-2 country code`);
    return code;
  });
  return {
    name: text(input.name, field('name'), 'SubprocessorInput.name'),
    legalEntity: optionalText(input.legalEntity, field('legalEntity'), 'legalEntity'),
    website,
    purpose: text(input.purpose, field('purpose'), 'purpose'),
    dataCategories,
    locations,
    transferMechanism: input.transferMechanism,
  };
}
