import type { Express, Request, Response } from 'express';
import { CodedError, EDITORS, ErrorCode, forbidden, internalError, sendHttpError, type AccessTokenVerifier, type Principal } from '@compliance-graph/auth';
import type { Logger } from '@compliance-graph/config';
import { gatewayCaller } from '@compliance-graph/runtime';
import { FILE_NAME_HEADER, parseContentType, parseFileName } from './upload-metadata';
import type { UploadService } from './upload.service';

export const UPLOADS_PATH = '/evidence/uploads';

interface UploadRouteOptions {
  routerSecret: string;
  verifyAccessToken: AccessTokenVerifier;
  uploads: UploadService;
  logger: Logger;
}

/** Someone who may add evidence (OWNER, ADMIN, COMPLIANCE_MANAGER, MEMBER), through the gateway, with a full session. */
async function uploaderOf(req: Request, options: UploadRouteOptions): Promise<Principal> {
  const { principal } = await gatewayCaller(req, { ...options, refusal: 'Uploads go through the gateway' });
  if (principal.kind === 'SUPPORT') throw forbidden('A support session changes nothing');
  if (!EDITORS.includes(principal.role)) throw forbidden('OWNER, ADMIN, COMPLIANCE_MANAGER and MEMBER upload evidence');
  return principal;
}

/**
 * POST /evidence/uploads: the raw body is the file (`Content-Type` its media type, `X-File-Name`
 * its name), streamed to blob storage by its SHA-256; 201 `{"uploadId", "sha256", "sizeBytes"}`.
 * Everything that can be checked before a byte is read is (who, headers, declared length). An
 * upload changes no evidence, so it records no audit event: the revision that claims it does.
 */
export function mountUploads(app: Express, options: UploadRouteOptions): void {
  app.post(UPLOADS_PATH, async (req: Request, res: Response) => {
    try {
      const principal = await uploaderOf(req, options);
      const contentType = parseContentType(req.headers['content-type']);
      const fileName = parseFileName(req.headers[FILE_NAME_HEADER]);
      if (Number(req.headers['content-length'] ?? 0) > options.uploads.maxBytes) throw new CodedError(ErrorCode.PAYLOAD_TOO_LARGE);
      const upload = await options.uploads.receive(principal, { content: req, contentType, fileName });
      res.status(201).json({ uploadId: upload.id, sha256: upload.sha256, sizeBytes: upload.sizeBytes });
    } catch (error) {
      if (!(error instanceof CodedError)) options.logger.error({ error }, 'upload failed');
      // A body left unread would be taken for the next request on a kept-alive connection.
      if (!req.complete) res.setHeader('Connection', 'close');
      sendHttpError(res, error instanceof CodedError ? error : internalError());
    }
  });
}
