import type { Principal } from '@compliance-graph/auth';
import type { ForwardedRequest } from '@compliance-graph/edge';

export interface GatewayContext extends ForwardedRequest {
  principal?: Principal;
}
