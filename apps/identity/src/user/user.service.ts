import type { DataSource, EntityManager } from 'typeorm';
import { badUserInput, type Principal } from '@compliance-graph/auth';
import { withTenant } from '@compliance-graph/db';
import type { Caller } from '@compliance-graph/outbox';
import { recordIdentityAudit } from '../audit';
import { SessionEntity } from '../session/session.entity';
import type { LoginThrottle } from '../throttle/login-throttle';
import { assertPassword } from '../validation';
import { hashPassword, verifyPassword } from './password';
import { UserEntity } from './user.entity';

/** The columns a new user is created with: the app role may insert no others (the rest keep their defaults). */
type NewUser = Pick<UserEntity, 'id' | 'email' | 'displayName' | 'passwordHash'>;

/**
 * Creates a user inside the transaction that also creates their first membership. It names
 * its columns (the app role's INSERT grant covers only these) and reads nothing back: until the
 * membership exists the row-level policy does not let this tenant see the new row.
 */
export async function insertUser(tx: EntityManager, user: NewUser): Promise<void> {
  await tx.createQueryBuilder().insert().into(UserEntity, ['id', 'email', 'displayName', 'passwordHash']).values(user).updateEntity(false).execute();
}

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
      const user = await tx.findOne(UserEntity, {
        select: { id: true, passwordHash: true },
        where: { id: principal.subjectId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!user || !(await verifyPassword(user.passwordHash, currentPassword))) return false;
      await tx.update(UserEntity, { id: principal.subjectId }, { passwordHash: newHash, sessionsValidAfter: () => 'now()' });
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
