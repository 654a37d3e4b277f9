import { once } from 'node:events';
import type { Express, Request, Response } from 'express';
import {
  CodedError,
  READERS,
  badUserInput,
  forbidden,
  internalError,
  sendHttpError,
  unauthenticated,
  type AccessTokenVerifier,
  type Principal,
} from '@compliance-graph/auth';
import type { Logger } from '@compliance-graph/config';
import { gatewayCaller, type ForwardedRequest } from '@compliance-graph/runtime';
import { auditMessage } from '@compliance-graph/outbox';
import type { IngestService } from '../ingest/ingest.service';
import { FORMATS, csvHeader, csvLine, isExportFormat, ndjsonLine, type ExportFormat } from './export-format';
import type { ExportService, ExportWindow } from './export.service';

export const EXPORT_PATH = '/audit/export';
export const TREE_SIZE_HEADER = 'X-Audit-Tree-Size';

interface ExportRouteOptions {
  routerSecret: string;
  verifyAccessToken: AccessTokenVerifier;
  exports: ExportService;
  ingest: IngestService;
  logger: Logger;
}

/** A reader of the log, through the gateway, with a full (MFA-complete) session. */
async function readerOf(req: Request, options: ExportRouteOptions): Promise<ForwardedRequest & { principal: Principal }> {
  const reader = await gatewayCaller(req, { ...options, refusal: 'Exports go through the gateway' });
  if (!READERS.includes(reader.principal.role)) throw forbidden('OWNER, ADMIN and AUDITOR export the log');
  return reader;
}

function windowOf(req: Request): { format: ExportFormat; window: ExportWindow } {
  const format = req.query.format ?? 'ndjson';
  if (!isExportFormat(format)) throw badUserInput('format must be ndjson or csv');
  const date = (name: 'from' | 'to') => {
    const value = req.query[name];
    if (value === undefined) return undefined;
    const parsed = typeof value === 'string' ? new Date(value) : new Date(NaN);
    if (Number.isNaN(parsed.getTime())) throw badUserInput(`${name} must be an ISO date-time`);
    return parsed;
  };
  return { format, window: { from: date('from'), to: date('to') } };
}

/**
 * GET /audit/export: the caller's log at one tree size (X-Audit-Tree-Size), streamed in seq
 * order with backpressure, so memory stays flat for any size. The export itself is recorded as
 * `audit.exported`, beyond the exported size, before its first byte is sent: no export is ever
 * served unrecorded, and one that cannot be recorded is not served.
 */
export function mountExport(app: Express, options: ExportRouteOptions): void {
  app.get(EXPORT_PATH, async (req: Request, res: Response) => {
    let reader: Awaited<ReturnType<typeof readerOf>>;
    let request: ReturnType<typeof windowOf>;
    try {
      reader = await readerOf(req, options);
      request = windowOf(req);
    } catch (error) {
      const coded = error instanceof CodedError ? error : unauthenticated();
      sendHttpError(res, coded);
      return;
    }
    const { principal } = reader;
    const { format, window } = request;
    try {
      const plan = await options.exports.plan(principal, window);
      // Recorded before the first byte, built as every producer builds its records (the
      // reader's user agent and address normalised): no export is ever served unrecorded.
      const { payload } = auditMessage({
        tenantId: principal.tenantId,
        action: 'audit.exported',
        actorKind: principal.kind,
        actorId: principal.subjectId,
        subjectType: 'Tenant',
        subjectId: principal.tenantId,
        service: 'audit',
        ip: reader.clientIp,
        userAgent: reader.userAgent,
        data: { format, ...plan, from: window.from?.toISOString() ?? null, to: window.to?.toISOString() ?? null },
      });
      await options.ingest.ingest([payload]);
      res.status(200);
      res.setHeader('Content-Type', FORMATS[format].contentType);
      res.setHeader('Content-Disposition', `attachment; filename="audit-${principal.tenantId}-${plan.treeSize}.${FORMATS[format].extension}"`);
      res.setHeader(TREE_SIZE_HEADER, String(plan.treeSize));
      res.setHeader('Cache-Control', 'no-store');
      if (format === 'csv') res.write(csvHeader());
      for await (const record of options.exports.records(principal, plan.treeSize, window)) {
        if (!res.write(format === 'csv' ? csvLine(record) : ndjsonLine(record))) await once(res, 'drain');
      }
      res.end();
    } catch (error) {
      options.logger.error({ error }, 'audit export failed');
      if (!res.headersSent) sendHttpError(res, internalError());
      else res.destroy();
    }
  });
}
