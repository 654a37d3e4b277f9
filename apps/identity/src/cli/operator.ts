import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { IsNull, type DataSource } from 'typeorm';
import { loadConfig } from '@compliance-graph/config';
import { createDataSource, isUuid } from '@compliance-graph/db';
import { deadLetters } from '@compliance-graph/outbox';
import { recordIdentityAudit } from '../audit';
import { identityEntities } from '../entities';
import { MembershipEntity } from '../membership/membership.entity';
import { clearUserMfa } from '../mfa/mfa-reset';
import { UserEntity } from '../user/user.entity';
import { assertText, normaliseEmail } from '../validation';

const USAGE = `usage: npm run operator -- grant <email> | revoke <email> | list
       npm run operator -- reset-mfa <email> <reason ...>
       npm run operator -- outbox list | outbox retry (--all | <event id> ...)`;

/** How a platform action appears in a tenant's audit log: no request, no address. */
const CLI_CALLER = { clientIp: null, userAgent: 'npm run operator' };

type Command = (db: DataSource, args: string[]) => Promise<number>;

const say = (line: string) => process.stdout.write(`${line}\n`);
const fail = (line: string) => {
  process.stderr.write(`${line}\n`);
  return 1;
};

async function list(db: DataSource): Promise<number> {
  const operators = await db.manager.find(UserEntity, { where: { isOperator: true }, order: { email: 'ASC' } });
  for (const user of operators) say(`${user.email}${user.mfaEnabled ? '' : '  (no MFA yet: cannot open support sessions)'}`);
  return 0;
}

const setOperator =
  (flag: boolean): Command =>
  async (db, [email]) => {
    const address = normaliseEmail(email);
    const updated = await db.manager.update(UserEntity, { email: address }, { isOperator: flag });
    if (updated.affected === 0) return fail(`no user with email ${address}`);
    say(`${flag ? 'granted' : 'revoked'} platform operator: ${address}`);
    return 0;
  };

/**
 * Clears a user's MFA for every tenant at once (a lost phone, no recovery code left, and a
 * member of several tenants, where no tenant admin may reset it), recorded with the reason in
 * the audit log of each tenant the user belongs to.
 */
const resetMfa: Command = async (db, [email, ...words]) => {
  const address = normaliseEmail(email);
  const reason = assertText(words.join(' '), 'reason');
  const tenants = await db.transaction(async (tx) => {
    const user = await tx.findOne(UserEntity, { select: { id: true }, where: { email: address }, lock: { mode: 'pessimistic_write' } });
    if (!user) return null;
    await clearUserMfa(tx, user.id);
    const memberships = await tx.find(MembershipEntity, { where: { userId: user.id, revokedAt: IsNull() }, order: { createdAt: 'ASC' } });
    for (const membership of memberships) {
      await recordIdentityAudit(tx, CLI_CALLER, {
        tenantId: membership.tenantId,
        action: 'mfa.reset',
        actor: { kind: 'SYSTEM', id: null },
        subjectType: 'Membership',
        subjectId: membership.id,
        reason,
        data: { userId: user.id, by: 'platform operator' },
      });
    }
    return memberships.length;
  });
  if (tenants === null) return fail(`no user with email ${address}`);
  say(`reset MFA of ${address}; recorded in the audit log of ${tenants} tenant(s)`);
  return 0;
};

/**
 * Identity's dead outbox messages (audit records the audit service refused 3 times): listed
 * with the refusal, and put back in line once the cause is fixed. The relay then delivers them.
 */
const outbox: Command = async (db, args) => {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { all: { type: 'boolean', default: false } } });
  const [action, ...ids] = positionals;
  const dead = deadLetters(db, 'identity');
  if (action === 'list' && ids.length === 0 && !values.all) {
    const messages = await dead.list();
    for (const m of messages) say(`${m.id}  tenant ${m.tenantId}  ${m.topic}  occurred ${m.occurredAt}  dead since ${m.deadAt}  refused ${m.refusals}x: ${m.lastError ?? ''}`);
    say(`${messages.length} dead message(s)`);
    return 0;
  }
  if (action === 'retry' && values.all !== ids.length > 0) {
    const invalid = ids.filter((id) => !isUuid(id));
    if (invalid.length > 0) return fail(`not an event id: ${invalid.join(', ')}`);
    const retried = await dead.retry(values.all ? 'all' : ids);
    say(`put ${retried.length} dead message(s) back in line: ${retried.join(', ')}`);
    return retried.length === 0 && !values.all ? 1 : 0;
  }
  process.stderr.write(`${USAGE}\n`);
  return 2;
};

const COMMANDS: Record<string, { args: number; run: Command }> = {
  outbox: { args: 1, run: outbox },
  list: { args: 0, run: list },
  grant: { args: 1, run: setOperator(true) },
  revoke: { args: 1, run: setOperator(false) },
  'reset-mfa': { args: 2, run: resetMfa },
};

/**
 * Platform operations, deliberately not in the graph: flagging platform operators (who may
 * open support sessions) and resetting a user's MFA across tenants are acts on the platform's
 * own database, by someone who has it. Runs as the identity worker role (users are global,
 * not one tenant's rows).
 */
async function main([name, ...args]: string[]): Promise<number> {
  const { DATABASE_URL } = loadConfig('operator', z.object({ DATABASE_URL: z.string().url('must be a postgres:// URL') }));
  const command = COMMANDS[name];
  if (!command || args.length < command.args) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const db = createDataSource({ databaseUrl: DATABASE_URL, schema: 'identity', role: 'worker', poolSize: 1, entities: identityEntities });
  await db.initialize();
  try {
    return await command.run(db, args);
  } finally {
    await db.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
