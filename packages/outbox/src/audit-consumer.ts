import { AUDIT_INGEST } from '@compliance-graph/internal-api';
import { httpDelivery } from './http-delivery';
import { AUDIT_TOPIC } from './message';
import type { OutboxConsumer } from './relay';

/** The audit topic's consumer: the audit service's ingest route, with the producing service's credential. */
export function auditIngestConsumer(auditUrl: string, serviceToken: string): OutboxConsumer {
  return { topic: AUDIT_TOPIC, deliver: httpDelivery({ url: `${auditUrl}${AUDIT_INGEST.path}`, token: serviceToken }) };
}
