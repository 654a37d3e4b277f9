import { AUDIT_INGEST, type RelayedApi } from '@compliance-graph/internal-api';
import { httpDelivery } from './http-delivery';
import type { OutboxConsumer } from './relay';

/**
 * The consumer of the topic an internal API takes: the API's route at `baseUrl`, called with
 * the producing service's own credential for it, as many messages per call and as patiently as
 * the API's declaration says.
 */
export function internalApiConsumer(api: RelayedApi, baseUrl: string, serviceToken: string): OutboxConsumer {
  return {
    topic: api.topic,
    batchSize: api.batchSize,
    deliver: httpDelivery({ url: `${baseUrl}${api.path}`, token: serviceToken, timeoutMs: api.timeoutMs }),
  };
}

/** The audit topic's consumer: the audit service's ingest route, with the producing service's credential. */
export const auditIngestConsumer = (auditUrl: string, serviceToken: string): OutboxConsumer => internalApiConsumer(AUDIT_INGEST, auditUrl, serviceToken);
