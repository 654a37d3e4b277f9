import type { Express } from 'express';
import type { Logger } from '@compliance-graph/config';
import { AUDIT_PROOFS, mountInternalApi, onlyServiceCredentials } from '@compliance-graph/internal-api';
import type { SubjectProofsService } from './subject-proofs.service';

/** Where a producing service fetches the proofs of its own records (a proofpack's audit section), with its service credential. */
export function mountProofs(app: Express, options: { credentials: Record<string, string>; proofs: SubjectProofsService; logger: Logger }): void {
  mountInternalApi(app, AUDIT_PROOFS, { guard: onlyServiceCredentials(options.credentials), logger: options.logger }, ({ body, caller }) =>
    options.proofs.proofs(body.tenantId, caller, body.subjects),
  );
}
