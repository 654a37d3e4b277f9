import { AccessReviewDecision, AccessReviewSignalCode, AccessRiskFlag } from './access-review-item.entity';
import { historyOf, riskOf, scopeDigest, type ScopeSubject } from './access-review-scope';

const now = new Date('2026-12-01T00:00:00Z');
const dueAt = new Date('2026-12-15T00:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);
const member = (overrides: Partial<ScopeSubject> = {}): ScopeSubject => ({
  subjectType: 'Membership',
  subjectId: 'm1',
  ownerUserId: 'u1',
  role: 'MEMBER',
  createdAt: daysAgo(400),
  lastUsedAt: daysAgo(1),
  mfaEnabled: true,
  ...overrides,
});
const codes = (signals: Array<{ code: AccessReviewSignalCode }>) => signals.map((s) => s.code).sort();

describe('access review scope', () => {
  it('flags the contract risks, each with its reason', () => {
    expect(riskOf(member(), now, dueAt)).toEqual([]);
    expect(codes(riskOf(member({ role: 'OWNER', mfaEnabled: false }), now, dueAt))).toEqual(['NO_MFA', 'PRIVILEGED']);
    const dormant = riskOf(member({ lastUsedAt: daysAgo(120) }), now, dueAt);
    expect(dormant).toEqual([{ code: 'DORMANT_90_DAYS', reason: 'Has not signed in to this tenant for 120 days.' }]);
    expect(codes(riskOf(member({ lastUsedAt: null }), now, dueAt))).toEqual(['DORMANT_90_DAYS', 'NEVER_USED']);
    expect(codes(riskOf(member({ lastUsedAt: null, createdAt: daysAgo(3) }), now, dueAt))).toEqual(['NEVER_USED']);
    const key = (expiresAt: Date): ScopeSubject => ({ subjectType: 'ApiKey', subjectId: 'k1', ownerUserId: 'u1', role: 'PARTNER', createdAt: daysAgo(10), lastUsedAt: daysAgo(1), expiresAt });
    expect(codes(riskOf(key(new Date('2026-12-10T00:00:00Z')), now, dueAt))).toEqual(['EXPIRING_KEY']);
    expect(codes(riskOf(key(new Date('2026-12-20T00:00:00Z')), now, dueAt))).toEqual(['EXPIRING_KEY']);
    expect(riskOf(key(new Date('2027-06-01T00:00:00Z')), now, dueAt)).toEqual([]);
  });

  it('adds what the previous completed review tells, and nothing without one', () => {
    expect(historyOf(member(), [], undefined, false)).toEqual([]);
    expect(codes(historyOf(member(), [], undefined, true))).toEqual(['NEW_SINCE_LAST_REVIEW']);
    const previous = { roleAtStart: 'MEMBER' as const, decision: AccessReviewDecision.CHANGE_ROLE, newRole: 'ADMIN' as const, flags: [] };
    expect(historyOf(member({ role: 'ADMIN' }), [], previous, true)).toEqual([]);
    expect(codes(historyOf(member({ role: 'OWNER' }), [], previous, true))).toEqual(['ROLE_CHANGED_SINCE_LAST_REVIEW']);
    const keptFlagged = { roleAtStart: 'MEMBER' as const, decision: AccessReviewDecision.KEEP, newRole: null, flags: [AccessRiskFlag.NO_MFA] };
    expect(historyOf(member(), [AccessRiskFlag.NO_MFA], keptFlagged, true)).toEqual([
      { code: 'KEPT_WITH_FLAG_LAST_TIME', reason: 'Kept in the last review although flagged NO_MFA, which still stands.' },
    ]);
    expect(historyOf(member(), [], keptFlagged, true)).toEqual([]);
    expect(historyOf(member(), [AccessRiskFlag.NO_MFA], { ...keptFlagged, decision: null }, true)).toHaveLength(1);
  });

  it('digests the scope independently of item order and flag order', () => {
    const a = { id: 'b', subjectType: 'Membership' as const, subjectId: 'm1', roleAtStart: 'OWNER' as const, flags: [AccessRiskFlag.PRIVILEGED, AccessRiskFlag.NO_MFA] };
    const b = { id: 'a', subjectType: 'ApiKey' as const, subjectId: 'k1', roleAtStart: 'PARTNER' as const, flags: [] };
    expect(scopeDigest([a, b])).toBe(scopeDigest([b, { ...a, flags: [AccessRiskFlag.NO_MFA, AccessRiskFlag.PRIVILEGED] }]));
    expect(scopeDigest([a, b])).toMatch(/^[0-9a-f]{64}$/);
    expect(scopeDigest([a, b])).not.toBe(scopeDigest([a, { ...b, roleAtStart: 'MEMBER' }]));
  });
});
