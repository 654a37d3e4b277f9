import type { Express } from 'express';
import { forbidden } from '@compliance-graph/auth';
import type { Logger } from '@compliance-graph/config';
import { AUDIT_INGEST, mountInternalApi, onlyServiceCredentials } from '@compliance-graph/internal-api';
import type { IngestService } from './ingest.service';

/**
 * Where services' outbox relays deliver audit records: authenticated with the producing
 * service's own credential (never a user token), idempotent by event id, 200 only once
 * appended. A producer writes only records of its own service: a compromised subgraph cannot
 * put words in identity's mouth.
 */
export function mountIngest(app: Express, options: { credentials: Record<string, string>; ingest: IngestService; logger: Logger }): void {
  mountInternalApi(app, AUDIT_INGEST, { guard: onlyServiceCredentials(options.credentials), logger: options.logger }, async ({ body, caller: producer }) => {
    const records = body.messages.map((message) => (message as { payload?: unknown })?.payload ?? message);
    if (records.some((record) => (record as { service?: unknown })?.service !== producer)) {
      options.logger.warn({ producer }, 'audit records of another service refused');
      throw forbidden(`This credential may send only records of service "${producer}"`);
    }
    return options.ingest.ingest(records);
  });
}
