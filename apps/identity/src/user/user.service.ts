import type { LoginThrottle } from '../throttle/login-throttle';
import type { DataSource } from 'typeorm';
import { badUserInput, type Principal } from '@compliance-graph/auth';
import { withTenant } from '@compliance-graph/db';
import type { Caller } from '@compliance-graph/outbox';
import { recordIdentityAudit } from '../audit';
import { SessionEntity } from '../session/session.entity';
import { assertPassword } from '../validation';
import { hashPassword, verifyPassword } from './password';

export class UserService {
  constructor(
    private readonly db: DataSource,
    private readonly throttle: LoginThrottle,
  ) {}

  /**
   * Changes the caller's password and ends every other session of theirs, in every tenant:
   * sessions authenticated before the change no longer stand (the gateway refuses them within
   * seconds, refresh fails); the session that made the change re-authenticates.
   */
  async changePassword(principal: Principal, caller: Caller, currentPassword: string, newPassword: string): Promise<boolean> {
    const newHash = await hashPassword(assertPassword(newPassword, 'newPassword'));
    const counters = this.throttle.counters(caller.clientIp, { userId: principal.subjectId });
    await this.throttle.reserve(counters);
    const changed = await withTenant(this.db, principal, async (tx) => {
      const [user]: Array<{ password_hash: string | null }> = await tx.query(
        `SELECT password_hash FROM identity.users WHERE id = $1 FOR UPDATE`,
        [principal.subjectId],
      );
      if (!user || !(await verifyPassword(user.password_hash, currentPassword))) return false;
      await tx.query(`UPDATE identity.users SET password_hash = $2, sessions_valid_after = now() WHERE id = $1`, [
        principal.subjectId,
        newHash,
      ]);
      await tx.update(SessionEntity, { id: principal.sessionId }, { authenticatedAt: () => 'now()' });
      await recordIdentityAudit(tx, caller, {
        tenantId: principal.tenantId,
        action: 'user.password_changed',
        subjectType: 'User',
        subjectId: principal.subjectId,
      });
      return true;
    });
    if (!changed) throw badUserInput('currentPassword is wrong');
    await this.throttle.recordSuccess(counters);
    return true;
  }
}
