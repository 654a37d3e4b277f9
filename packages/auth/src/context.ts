import type { Logger } from '@compliance-graph/config';
import type { Principal } from './principal';
import { unauthenticated } from './errors';

/** What the shield rules read from a request's context. */
export interface AuthContext {
  principal?: Principal;
  /** The request carried the router secret: it came through our gateway. */
  fromRouter: boolean;
  requestId: string;
  logger: Logger;
}

/**
 * The authenticated caller. Shield rules already require one wherever this is called; should a
 * rule ever let an anonymous request through, the answer is UNAUTHENTICATED, not a TypeError.
 */
export function callerOf(ctx: Pick<AuthContext, 'principal'>): Principal {
  if (!ctx.principal) throw unauthenticated();
  return ctx.principal;
}
