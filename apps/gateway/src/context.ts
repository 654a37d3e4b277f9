import type { Principal } from '@compliance-graph/auth';
import type { ForwardedRequest } from './forward-headers';

export interface GatewayContext extends ForwardedRequest {
  principal?: Principal;
}
