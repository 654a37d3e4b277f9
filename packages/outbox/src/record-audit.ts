import type { EntityManager } from 'typeorm';
import type { Principal } from '@compliance-graph/auth';
import { enqueue } from './enqueue';
import { auditMessage, type ActorKind, type AuditEventInput } from './message';

/** Who acted and from where, as a request knows it (RequestContext satisfies this). */
export interface Caller {
  principal?: Principal;
  clientIp: string | null;
  userAgent: string | null;
}

export interface Actor {
  kind: ActorKind;
  id: string | null;
}

/** The actor of a request: its principal, or the system when nobody is signed in. */
export const actorOf = (principal: Principal | undefined): Actor =>
  principal ? { kind: principal.kind, id: principal.subjectId } : { kind: 'SYSTEM', id: null };

export type AuditEvent = Omit<AuditEventInput, 'actorKind' | 'actorId' | 'service' | 'ip' | 'userAgent'> & {
  /** Defaults to the caller's principal; set it when the actor just authenticated (login, sign-up). */
  actor?: Actor;
};

/**
 * Records audit events in the caller's transaction (one statement for all of them), with actor,
 * client address and user agent taken from the request, so every state change carries its
 * actor context.
 */
export async function recordAudit(
  tx: EntityManager,
  service: { schema: string; name: string },
  caller: Caller,
  ...events: AuditEvent[]
): Promise<void> {
  await enqueue(
    tx,
    service.schema,
    ...events.map(({ actor = actorOf(caller.principal), ...rest }) =>
      auditMessage({
        ...rest,
        actorKind: actor.kind,
        actorId: actor.id,
        service: service.name,
        ip: caller.clientIp,
        userAgent: caller.userAgent,
      }),
    ),
  );
}
