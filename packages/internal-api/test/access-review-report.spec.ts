import { createHash, randomUUID } from 'node:crypto';
import { ACCESS_REVIEW_CSV_MAX_BYTES, ACCESS_REVIEW_REPORT } from '../src';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const tenantId = randomUUID();

const report = (overrides: Record<string, unknown> = {}) => {
  const csv = 'item,decision,justification,reviewer\r\n1,KEEP,"on the team",reviewer@example.test';
  return {
    reviewId: randomUUID(),
    tenantId,
    title: 'Q1 access review',
    completedAt: '2026-03-31T12:00:00.000Z',
    completedBy: randomUUID(),
    csv,
    csvSha256: sha256(csv),
    counts: { total: 1, kept: 1, revoked: 0, changed: 0, pending: 0 },
    ...overrides,
  };
};
const envelope = (payload: object, message: Record<string, unknown> = {}) => ({
  topic: 'access_review.completed',
  messages: [{ id: randomUUID(), topic: 'access_review.completed', tenantId, occurredAt: '2026-03-31T12:00:00.123Z', payload, ...message }],
});
/** The first problem the route would answer with (BAD_USER_INPUT names it), or undefined when the body is taken. */
const problem = (body: unknown) => {
  const parsed = ACCESS_REVIEW_REPORT.request.safeParse(body);
  return parsed.success ? undefined : `${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message}`;
};

describe('the access-review report message', () => {
  it('takes a well-formed report', () => {
    expect(problem(envelope(report()))).toBeUndefined();
  });

  it.each([
    ['a review id that is no UUID', { reviewId: 'review-1' }, 'messages.0.payload.reviewId'],
    ['a completing user that is no UUID', { completedBy: '42' }, 'messages.0.payload.completedBy'],
    ['a hash that is not 64 lowercase hex digits', { csvSha256: 'ABC' }, 'messages.0.payload.csvSha256'],
    ['an upper-case hash', { csvSha256: sha256('x').toUpperCase() }, 'messages.0.payload.csvSha256'],
    ['a completion time that is no ISO date-time', { completedAt: 'yesterday' }, 'messages.0.payload.completedAt'],
    ['an empty title', { title: ' ' }, 'messages.0.payload.title'],
    ['an empty CSV', { csv: '' }, 'messages.0.payload.csv'],
    ['a CSV with a control character JSON escapes as six bytes', { csv: 'a,b\u0000' }, 'messages.0.payload.csv'],
    ['a negative count', { counts: { total: 0, kept: -1, revoked: 1, changed: 0, pending: 0 } }, 'messages.0.payload.counts.kept'],
    ['counts that do not add up', { counts: { total: 2, kept: 1, revoked: 0, changed: 0, pending: 0 } }, 'messages.0.payload.counts'],
    ['a field the message does not have', { password: 'x' }, 'messages.0.payload'],
  ])('refuses %s', (_case, overrides, path) => {
    expect(problem(envelope(report(overrides)))).toMatch(new RegExp(`^${path.replace(/\./g, '\\.')}: `));
  });

  it('refuses a CSV over 20 MiB of UTF-8, also when it has fewer characters than bytes', () => {
    expect(problem(envelope(report({ csv: 'x'.repeat(ACCESS_REVIEW_CSV_MAX_BYTES + 1) })))).toMatch(/^messages\.0\.payload\.csv: /);
    // "é" is two bytes of UTF-8: half as many characters as the limit, one byte over it.
    expect(problem(envelope(report({ csv: 'é'.repeat(ACCESS_REVIEW_CSV_MAX_BYTES / 2) + 'x' })))).toBe(
      `messages.0.payload.csv: must be at most ${ACCESS_REVIEW_CSV_MAX_BYTES} bytes of UTF-8`,
    );
    const largest = 'é'.repeat(ACCESS_REVIEW_CSV_MAX_BYTES / 2);
    expect(problem(envelope(report({ csv: largest, csvSha256: sha256(largest) })))).toBeUndefined();
  });

  it('refuses a message whose tenant is not its payload’s, of another topic, or more than one report per call', () => {
    expect(problem(envelope(report(), { tenantId: randomUUID() }))).toMatch(/^messages\.0\.payload\.tenantId: /);
    expect(problem(envelope(report(), { topic: 'audit' }))).toMatch(/^messages\.0\.topic: /);
    expect(problem({ ...envelope(report()), topic: 'audit' })).toMatch(/^topic: /);
    const two = envelope(report());
    expect(problem({ ...two, messages: [...two.messages, ...envelope(report()).messages] })).toMatch(/^messages: /);
  });

  it('has a body limit that holds the largest report in its worst JSON escaping', () => {
    // Every character escaped to two bytes (quotes) and a title of the longest: the largest body a valid report makes.
    const body = JSON.stringify(envelope(report({ csv: '"'.repeat(ACCESS_REVIEW_CSV_MAX_BYTES), title: 'é'.repeat(300) })));
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(ACCESS_REVIEW_REPORT.bodyLimitBytes);
  });
});
