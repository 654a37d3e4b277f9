import type { Logger } from '@compliance-graph/config';
import type { Principal } from './principal';

/** What the shield rules read from a request's context. */
export interface AuthContext {
  principal?: Principal;
  /** The request carried the router secret: it came through our gateway. */
  fromRouter: boolean;
  requestId: string;
  logger: Logger;
}
