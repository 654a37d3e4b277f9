import { createLogger, splitByLevel, withRequestLogFields } from '../src';

/** A destination that keeps the lines written to it. */
const capture = () => {
  const lines: string[] = [];
  return { lines, entries: () => lines.map((line) => JSON.parse(line)), write: (line: string) => void lines.push(line) };
};

describe('service logger', () => {
  it('writes one JSON line per entry with the service, the level as a word, an ISO time and the fields', () => {
    const out = capture();
    createLogger('identity', 'info', out).child({ requestId: 'r-1' }).info({ tenantId: 't-1' }, 'signed up');
    expect(out.lines).toHaveLength(1);
    expect(out.lines[0].endsWith('\n')).toBe(true);
    const [entry] = out.entries();
    expect(entry).toEqual({ level: 'info', time: expect.any(String), service: 'identity', requestId: 'r-1', tenantId: 't-1', msg: 'signed up' });
    expect(new Date(entry.time).toISOString()).toBe(entry.time);
  });

  it("tags every entry written during a request with the request's fields, once, and none outside it", async () => {
    const out = capture();
    const logger = createLogger('identity', 'info', out);
    await withRequestLogFields({ requestId: 'r-2', traceId: '0af7651916cd43dd8448eb211c80319c' }, async () => {
      await new Promise((resolve) => setImmediate(resolve));
      logger.info('inside');
      logger.child({ requestId: 'r-2' }).info('bound');
    });
    logger.info('outside');
    const [inside, bound, outside] = out.entries();
    expect(inside).toMatchObject({ requestId: 'r-2', traceId: '0af7651916cd43dd8448eb211c80319c', msg: 'inside' });
    expect(out.lines[1].match(/"requestId"/g)).toHaveLength(1);
    expect(bound).toMatchObject({ requestId: 'r-2', traceId: '0af7651916cd43dd8448eb211c80319c' });
    expect(outside.requestId).toBeUndefined();
  });

  it('drops entries below its level', () => {
    const out = capture();
    const logger = createLogger('audit', 'warn', out);
    logger.info('routine');
    logger.warn('odd');
    expect(out.entries().map((entry) => entry.msg)).toEqual(['odd']);
  });

  it('serialises an error field with its type, message, code, stack and cause', () => {
    const out = capture();
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4003'), { code: 'ECONNREFUSED' });
    createLogger('identity', 'info', out).error({ error: new TypeError('fetch failed', { cause }) }, 'delivery failed');
    const [{ error }] = out.entries();
    expect(error).toMatchObject({ type: 'TypeError', message: expect.stringContaining('fetch failed'), stack: expect.stringContaining('TypeError: fetch failed') });
    expect(JSON.stringify(error)).toContain('ECONNREFUSED');
  });

  it('blanks credentials that reach an entry by accident', () => {
    const out = capture();
    createLogger('gateway', 'info', out).warn({ headers: { authorization: 'Bearer eyJsecret' }, password: 'hunter2', user: 'ada' }, 'odd request');
    const line = out.lines[0];
    expect(line).not.toContain('eyJsecret');
    expect(line).not.toContain('hunter2');
    expect(JSON.parse(line)).toMatchObject({ headers: { authorization: '[redacted]' }, password: '[redacted]', user: 'ada' });
  });

  it('sends warnings and errors to the loud stream and the rest to the quiet one, each entry once', () => {
    const quiet = capture();
    const loud = capture();
    const logger = createLogger('evidence', 'debug', splitByLevel(quiet, loud));
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(quiet.entries().map((entry) => entry.msg)).toEqual(['d', 'i']);
    expect(loud.entries().map((entry) => entry.msg)).toEqual(['w', 'e']);
  });
});
