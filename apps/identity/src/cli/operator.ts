import 'reflect-metadata';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { IsNull, type DataSource } from 'typeorm';
import { createDataSource, isUuid } from '@compliance-graph/db';
import type { OperatorCommand } from '@compliance-graph/runtime';
import { deadLetters, platformActor } from '@compliance-graph/outbox';
import { recordIdentityAudit, recordIdentityPlatformAudit } from '../audit';
import { identityEntities } from '../entities';
import { MembershipEntity } from '../membership/membership.entity';
import { clearUserMfa } from '../mfa/mfa-reset';
import { UserEntity } from '../user/user.entity';
import { assertText, normaliseEmail } from '../validation';

/** The command that acts, as platform and tenant records name it: no request, no address. */
const TOOL = 'npm run operator';
const CLI_CALLER = { clientIp: null, userAgent: TOOL };

type Command = (db: DataSource, args: string[]) => Promise<number>;

const say = (line: string) => process.stdout.write(`${line}\n`);
const fail = (line: string) => {
  process.stderr.write(`${line}\n`);
  return 1;
};

/** A command called without the arguments it needs: its usage line, exit code 2. */
const usage = (name: keyof typeof identityOperatorCommands) => {
  process.stderr.write(`usage: npm run operator -- ${identityOperatorCommands[name].usage}\n`);
  return 2;
};

const ACTOR_OPTION = { actor: { type: 'string' } } as const;

/** A command's own arguments; an unknown option is an error, not ignored. */
const parse = <O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O) =>
  parseArgs({ args, options, allowPositionals: true, strict: true });

async function list(db: DataSource): Promise<number> {
  const operators = await db.manager.find(UserEntity, { where: { isOperator: true }, order: { email: 'ASC' } });
  for (const user of operators) say(`${user.email}${user.mfaEnabled ? '' : '  (no MFA yet: cannot open support sessions)'}`);
  return 0;
}

/**
 * Flags or unflags a platform operator, recorded in the platform audit log with who ran it
 * and the target, in the same transaction: a change whose record cannot be written is not made.
 */
const setOperator =
  (flag: boolean): Command =>
  async (db, args) => {
    const { positionals, values } = parse(args, ACTOR_OPTION);
    if (positionals.length !== 1) return usage(flag ? 'grant' : 'revoke');
    const address = normaliseEmail(positionals[0]);
    const actor = platformActor(values.actor);
    const changed = await db.transaction(async (tx) => {
      const user = await tx.findOne(UserEntity, { select: { id: true, isOperator: true }, where: { email: address }, lock: { mode: 'pessimistic_write' } });
      if (!user) return false;
      await tx.update(UserEntity, { id: user.id }, { isOperator: flag });
      await recordIdentityPlatformAudit(tx, {
        action: flag ? 'platform.operator_granted' : 'platform.operator_revoked',
        subjectType: 'User',
        subjectId: user.id,
        actor,
        tool: TOOL,
        data: { email: address, wasOperator: user.isOperator },
      });
      return true;
    });
    if (!changed) return fail(`no user with email ${address}`);
    say(`${flag ? 'granted' : 'revoked'} platform operator: ${address} (recorded in the platform audit log, actor ${actor})`);
    return 0;
  };

/**
 * Clears a user's MFA for every tenant at once (a lost phone, no recovery code left, and a
 * member of several tenants, where no tenant admin may reset it), recorded with the reason in
 * the audit log of each tenant the user belongs to and in the platform audit log.
 */
const resetMfa: Command = async (db, args) => {
  const { positionals, values } = parse(args, ACTOR_OPTION);
  const [email, ...words] = positionals;
  if (!email || words.length === 0) return usage('reset-mfa');
  const address = normaliseEmail(email);
  const reason = assertText(words.join(' '), 'reason');
  const actor = platformActor(values.actor);
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
    await recordIdentityPlatformAudit(tx, {
      action: 'platform.mfa_reset',
      subjectType: 'User',
      subjectId: user.id,
      reason,
      actor,
      tool: TOOL,
      data: { email: address, tenants: memberships.map((membership) => membership.tenantId) },
    });
    return memberships.length;
  });
  if (tenants === null) return fail(`no user with email ${address}`);
  say(`reset MFA of ${address}; recorded in the audit log of ${tenants} tenant(s) and the platform audit log`);
  return 0;
};

/**
 * Identity's dead outbox messages (audit records the audit service refused 3 times): listed
 * with the refusal, and put back in line once the cause is fixed. The relay then delivers them.
 */
const outbox: Command = async (db, args) => {
  const { positionals, values } = parse(args, { all: { type: 'boolean', default: false } });
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
  return usage('outbox');
};

/**
 * Runs a command as the identity worker role (users are global, not one tenant's rows, and
 * platform records belong to no tenant).
 */
const onIdentity =
  (command: Command): OperatorCommand['run'] =>
  async (databaseUrl, args) => {
    const db = createDataSource({ databaseUrl, schema: 'identity', role: 'worker', poolSize: 1, entities: identityEntities });
    await db.initialize();
    try {
      return await command(db, args);
    } finally {
      await db.destroy();
    }
  };

/**
 * Platform operations, deliberately not in the graph: flagging platform operators (who may
 * open support sessions) and resetting a user's MFA across tenants are acts on the platform's
 * own database, by someone who has it.
 */
export const identityOperatorCommands: Record<string, OperatorCommand> = {
  grant: { usage: 'grant <email> [--actor <name>]', run: onIdentity(setOperator(true)) },
  revoke: { usage: 'revoke <email> [--actor <name>]', run: onIdentity(setOperator(false)) },
  list: { usage: 'list', run: onIdentity(list) },
  'reset-mfa': { usage: 'reset-mfa <email> <reason ...> [--actor <name>]', run: onIdentity(resetMfa) },
  outbox: { usage: 'outbox list | outbox retry (--all | <event id> ...)', run: onIdentity(outbox) },
};
