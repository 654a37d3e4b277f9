import express, { type Express } from 'express';
import { CodedError, bearerToken, httpErrorBody, matchesSecret } from '@compliance-graph/auth';
import type { Logger } from '@compliance-graph/config';
import type { IngestService } from './ingest.service';

export const INGEST_PATH = '/internal/audit/events';
const MAX_BATCH_BYTES = 5 * 1024 * 1024;

/** The producing service whose credential was presented, if any. */
function producerOf(presented: string | undefined, credentials: Record<string, string>): string | undefined {
  return Object.entries(credentials).find(([, credential]) => matchesSecret(presented, credential))?.[0];
}

/**
 * Where services' outbox relays deliver audit records: authenticated with the producing
 * service's own credential (never a user token), idempotent by event id, 200 only once
 * appended. A producer writes only records of its own service: a compromised subgraph cannot
 * put words in identity's mouth.
 */
export function mountIngest(app: Express, options: { credentials: Record<string, string>; ingest: IngestService; logger: Logger }): void {
  app.post(INGEST_PATH, express.json({ limit: MAX_BATCH_BYTES }), async (req, res) => {
    let presented: string | undefined;
    try {
      presented = bearerToken(typeof req.headers.authorization === 'string' ? req.headers.authorization : undefined);
    } catch {
      presented = undefined;
    }
    const producer = producerOf(presented, options.credentials);
    if (!producer) {
      res.status(401).json({ error: { code: 'UNAUTHENTICATED', message: 'Service credential required' } });
      return;
    }
    const messages = (req.body as { messages?: unknown })?.messages;
    if (!Array.isArray(messages)) {
      res.status(400).json({ error: { code: 'BAD_USER_INPUT', message: 'Expected {"messages": [...]}' } });
      return;
    }
    const records = messages.map((message) => (message as { payload?: unknown })?.payload ?? message);
    if (records.some((record) => (record as { service?: unknown })?.service !== producer)) {
      options.logger.warn('audit records of another service refused', { producer });
      res.status(403).json({ error: { code: 'FORBIDDEN', message: `This credential may send only records of service "${producer}"` } });
      return;
    }
    try {
      const result = await options.ingest.ingest(records);
      res.json(result);
    } catch (error) {
      if (error instanceof CodedError) {
        options.logger.warn('audit records refused', { message: error.message });
        res.status(error.httpStatus).json(httpErrorBody(error));
        return;
      }
      options.logger.error('audit ingest failed', { error });
      res.status(500).json({ error: { code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' } });
    }
  });
}
