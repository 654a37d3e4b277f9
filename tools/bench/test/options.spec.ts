import { file, number, numbers, parseOptions, usage, UsageError } from '../src/options';

const OPTIONS = {
  seconds: number(20, 'length of a phase', { min: 0.1 }),
  logEvents: number(1000, 'events in the log', { min: 0, integer: true }),
  writers: numbers([1, 8], 'writers per row', { min: 1, max: 64, integer: true }),
  json: file('figures as JSON'),
};

describe('bench options', () => {
  it('gives the defaults when nothing is passed', () => {
    expect(parseOptions(OPTIONS, [])).toEqual({ seconds: 20, logEvents: 1000, writers: [1, 8], json: undefined });
  });

  it('reads camelCase keys as kebab-case flags, with a value after the flag or after =', () => {
    expect(parseOptions(OPTIONS, ['--log-events', '20000', '--seconds=0.5', '--writers', '1,8,8,32', '--json', 'figures.json'])).toEqual({
      seconds: 0.5,
      logEvents: 20000,
      writers: [1, 8, 32],
      json: 'figures.json',
    });
  });

  it('answers undefined for --help and -h', () => {
    expect(parseOptions(OPTIONS, ['--help'])).toBeUndefined();
    expect(parseOptions(OPTIONS, ['-h'])).toBeUndefined();
  });

  it.each([
    [['--seconds', '0'], '--seconds needs a number >= 0.1, got "0"'],
    [['--log-events', '1.5'], '--log-events needs an integer >= 0, got "1.5"'],
    [['--writers', '1,x'], '--writers needs an integer from 1 to 64, got "x"'],
    [['--seconds', ''], '--seconds needs a number >= 0.1, got ""'],
    [['--seconds', 'Infinity'], '--seconds needs a number >= 0.1, got "Infinity"'],
  ])('refuses %j as a usage error', (argv, message) => {
    expect(() => parseOptions(OPTIONS, argv)).toThrow(new UsageError(message));
  });

  it.each([[['--unknown', '1']], [['--seconds']], [['positional']]])('refuses %j, which parseArgs rejects, as a usage error', (argv) => {
    expect(() => parseOptions(OPTIONS, argv)).toThrow(UsageError);
  });

  it('lists every option with its placeholder and default', () => {
    expect(usage('npm run bench -- x', OPTIONS).split('\n')).toEqual([
      'usage: npm run bench -- x [options]',
      '  --seconds N     length of a phase (default 20)',
      '  --log-events N  events in the log (default 1000)',
      '  --writers LIST  writers per row (default 1,8)',
      '  --json FILE     figures as JSON',
    ]);
  });
});
