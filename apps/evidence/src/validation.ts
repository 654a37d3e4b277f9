import { badUserInput } from '@compliance-graph/auth';
import { textChecker, type InputLimits } from '@compliance-graph/federation';

/**
 * Every string argument of the evidence graph and its length limit. The schema build checks
 * every argument against it before shield and the resolvers, and refuses NUL characters and
 * unpaired surrogates everywhere.
 */
export const EVIDENCE_INPUT_LIMITS: InputLimits = {
  id: { max: 36 },
  evidenceId: { max: 36 },
  uploadId: { max: 36 },
  after: { max: 512 },
  title: { max: 300 },
  description: { max: 4000 },
  controlRefs: { max: 100 },
  controlRef: { max: 100 },
  sourceRef: { max: 2000 },
  search: { max: 200 },
  rationale: { max: 4000 },
  evidenceIds: { max: 36 },
};

export const MAX_CONTROL_REFS = 50;
export const MAX_PROOFPACK_ITEMS = 500;

/** How far ahead of the server's clock `collectedAt` may be: clients' clocks drift, facts are not collected in the future. */
const CLOCK_SKEW_MS = 5 * 60_000;

/** A framework reference such as `ISO27001:A.5.15` or `SOC2:CC6.1`: letters and digits with `.:-_/()` between, no spaces at the ends. */
const CONTROL_REF = /^[A-Za-z0-9](?:[A-Za-z0-9 .:_\-/()]*[A-Za-z0-9)])?$/;

export const assertText = textChecker(EVIDENCE_INPUT_LIMITS);

export const optionalText = (value: string | null | undefined, field: string): string | null =>
  value === null || value === undefined || value.trim() === '' ? null : assertText(value, field);

/** Distinct, well-formed control references, in the order given. */
export function assertControlRefs(refs: readonly string[]): string[] {
  if (refs.length > MAX_CONTROL_REFS) throw badUserInput(`controlRefs takes at most ${MAX_CONTROL_REFS} references`);
  const cleaned = refs.map((ref, n) => {
    const value = assertText(ref, `controlRefs[${n}]`, 'controlRefs');
    if (!CONTROL_REF.test(value)) throw badUserInput(`controlRefs[${n}] must look like "ISO27001:A.5.15"`);
    return value;
  });
  return [...new Set(cleaned)];
}

/** An absolute http(s) URL, as a URL source must be. */
export function assertHttpUrl(value: string, field: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw badUserInput(`${field} must be an absolute http(s) URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw badUserInput(`${field} must be an absolute http(s) URL`);
  return value;
}

/** When the fact was true: not in the future, and before the end of its validity. */
export function assertValidity(collectedAt: Date, validUntil: Date | null | undefined): void {
  if (collectedAt.getTime() > Date.now() + CLOCK_SKEW_MS) throw badUserInput('collectedAt must not be in the future');
  if (validUntil && validUntil.getTime() <= collectedAt.getTime()) throw badUserInput('validUntil must be after collectedAt');
}
