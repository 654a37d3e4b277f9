import { callerOf } from './context';
import { guard, hasRole } from './rules';

describe('guard', () => {
  it('returns the same rule when a name is asked for again with the same body', () => {
    const body = () => true;
    expect(guard('spec:sameBody', body)).toBe(guard('spec:sameBody', body));
    expect(hasRole('ADMIN', 'OWNER')).toBeDefined();
    expect(() => hasRole('OWNER', 'ADMIN')).not.toThrow();
  });

  it('refuses a second body under a taken name, loudly', () => {
    guard('spec:isSelf', (_p, args, ctx) => args.id === ctx.principal?.subjectId);
    expect(() => guard('spec:isSelf', (_p, args, ctx) => args.userId === ctx.principal?.subjectId)).toThrow(
      'shield rule "spec:isSelf" is already registered with another body; give this rule its own name',
    );
  });
});

describe('callerOf', () => {
  it('answers UNAUTHENTICATED, not a TypeError, when a request has no principal', () => {
    expect(() => callerOf({})).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED' }));
  });
});
