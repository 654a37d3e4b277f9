import { userInfo } from 'node:os';
import type { EntityManager } from 'typeorm';
import { PLATFORM_TENANT_ID, badUserInput } from '@compliance-graph/auth';
import { unstorableText, type AuditRecord } from '@compliance-graph/audit-log';
import { enqueue } from './enqueue';
import { auditMessage, type OutboxMessage } from './message';

/** Longest actor name a platform record keeps. */
export const PLATFORM_ACTOR_MAX_LENGTH = 200;

const CONTROL_CHARACTER = /\p{Cc}/u;

/**
 * A value a platform command takes from its command line or environment, checked as client
 * input is: 1 to `max` characters once trimmed, no NUL, control character or lone surrogate.
 * Refused rather than cleaned, so a record never names someone other than the one given.
 */
export function commandLineText(value: string, field: string, max: number): string {
  const problem = unstorableText(value) ?? (CONTROL_CHARACTER.test(value) ? 'must not contain control characters' : null);
  if (problem) throw badUserInput(`${field} ${problem}`);
  const text = value.trim();
  if (text.length === 0 || text.length > max) throw badUserInput(`${field} must be 1-${max} characters`);
  return text;
}

/** The OS account running this process; a container without a passwd entry has only a uid. */
function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? 'unknown'}`;
  }
}

/** Who runs a platform command: the `--actor` given, else the OS user running it. */
export const platformActor = (given?: string): string => commandLineText(given ?? osUser(), 'actor', PLATFORM_ACTOR_MAX_LENGTH);

export interface PlatformEvent {
  action: string;
  subjectType: string;
  subjectId: string;
  reason?: string | null;
  data?: Record<string, unknown>;
  /** Who ran it (platformActor). */
  actor: string;
  /** The command that did it (`npm run operator`), kept as the record's user agent. */
  tool: string;
}

/** The audit record of a platform operation by `service`, in the platform log, checked as every record is (BAD_USER_INPUT). */
export const platformAuditMessage = (service: string, { actor, tool, data, ...event }: PlatformEvent): OutboxMessage<AuditRecord> =>
  auditMessage({
    ...event,
    tenantId: PLATFORM_TENANT_ID,
    actorKind: 'SYSTEM',
    actorId: null,
    service,
    userAgent: tool,
    data: { ...data, actor },
  });

/**
 * Records platform operations in the platform audit log through the service's outbox, in the
 * caller's transaction: the change and its record commit together or not at all, and the
 * service's relay delivers the record like any other. The transaction must be allowed the
 * platform origin's outbox rows (the worker role, or app.tenant_id set to PLATFORM_TENANT_ID).
 */
export async function recordPlatformAudit(tx: EntityManager, service: { schema: string; name: string }, ...events: PlatformEvent[]): Promise<void> {
  await enqueue(tx, service.schema, ...events.map((event) => platformAuditMessage(service.name, event)));
}
