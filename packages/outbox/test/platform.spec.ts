import { userInfo } from 'node:os';
import { PLATFORM_TENANT_ID } from '@compliance-graph/auth';
import { auditRecordSchema } from '@compliance-graph/audit-log';
import { commandLineText, platformActor, platformAuditMessage } from '../src/platform';

describe('platform records', () => {
  it('takes command-line text trimmed, and refuses what a client could not send', () => {
    expect(commandLineText('  alice@ops ', 'actor', 20)).toBe('alice@ops');
    for (const [value, problem] of [
      ['ev\u0000il', 'must not contain NUL characters'],
      ['a\u001bb', 'must not contain control characters'],
      ['a\nb', 'must not contain control characters'],
      ['\uD800x', 'must not contain unpaired UTF-16 surrogates'],
      ['   ', 'must be 1-20 characters'],
      ['x'.repeat(21), 'must be 1-20 characters'],
    ]) {
      expect(() => commandLineText(value, 'actor', 20)).toThrow(`actor ${problem}`);
    }
  });

  it('names the OS user as the actor unless one is given', () => {
    expect(platformActor()).toBe(userInfo().username);
    expect(platformActor('bob')).toBe('bob');
  });

  it('builds a record of the platform origin that the audit ingest accepts, and refuses one it would not', () => {
    const { tenantId, payload } = platformAuditMessage('identity', {
      action: 'platform.operator_granted',
      subjectType: 'User',
      subjectId: 'c0ffee00-0000-4000-8000-000000000001',
      actor: 'alice',
      tool: 'npm run operator',
      data: { email: 'ops@example.test' },
    });
    expect(tenantId).toBe(PLATFORM_TENANT_ID);
    expect(auditRecordSchema.parse(payload)).toMatchObject({
      tenantId: PLATFORM_TENANT_ID,
      actorKind: 'SYSTEM',
      actorId: null,
      service: 'identity',
      userAgent: 'npm run operator',
      data: { email: 'ops@example.test', actor: 'alice' },
    });
    expect(() => platformAuditMessage('identity', { action: 'granted', subjectType: 'User', subjectId: 'x', actor: 'alice', tool: 't' })).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }),
    );
  });
});
