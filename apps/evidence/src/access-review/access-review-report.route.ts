import type { Express } from 'express';
import type { Logger } from '@compliance-graph/config';
import { ACCESS_REVIEW_REPORT, mountInternalApi, onlyServiceCredentials } from '@compliance-graph/internal-api';
import type { AccessReviewReportService } from './access-review-report.service';

/**
 * Where identity's outbox relay delivers `access_review.completed`: with identity's own report
 * credential only (no user token, no other service's credential), 200 once recorded or already
 * known, so a redelivery is answered like the first delivery.
 */
export function mountAccessReviewReports(app: Express, options: { identityToken: string; reports: AccessReviewReportService; logger: Logger }): void {
  mountInternalApi(app, ACCESS_REVIEW_REPORT, { guard: onlyServiceCredentials({ identity: options.identityToken }), logger: options.logger }, ({ body }) =>
    options.reports.recordAll(body.messages),
  );
}
