import type { Principal } from '@compliance-graph/auth';
import { SUPPORT_REQUEST, callInternalApi } from '@compliance-graph/internal-api';

export interface SupportRequest {
  operation: string;
  documentHash: string | null;
  clientIp: string;
  userAgent?: string;
}

/**
 * Every request a support session makes is recorded in the visited tenant's audit log
 * (through identity) before it runs; if the record cannot be written, the request fails.
 */
export class SupportRequestLog {
  constructor(
    private readonly identityUrl: string,
    private readonly routerSecret: string,
  ) {}

  async record(token: string, principal: Principal | undefined, request: SupportRequest): Promise<void> {
    if (principal?.kind !== 'SUPPORT') return;
    await callInternalApi(this.identityUrl, SUPPORT_REQUEST, { bearer: token, routerSecret: this.routerSecret, body: request });
  }
}
