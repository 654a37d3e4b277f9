import { pipeline } from 'node:stream/promises';
import type { Express, Request, Response } from 'express';
import { CodedError, STAFF, forbidden, internalError, sendHttpError, type AccessTokenVerifier } from '@compliance-graph/auth';
import type { Logger } from '@compliance-graph/config';
import { gatewayCaller } from '@compliance-graph/runtime';
import type { ProofpackService } from './proofpack.service';

interface DownloadRouteOptions {
  routerSecret: string;
  verifyAccessToken: AccessTokenVerifier;
  proofpacks: ProofpackService;
  logger: Logger;
}

/**
 * GET /evidence/proofpacks/:id/download: the sealed pack's ZIP exactly as stored at sealing
 * (every download the same bytes, its SHA-256 as ETag), for staff of its tenant; another
 * tenant's pack is 404 like an unknown one.
 */
export function mountProofpackDownload(app: Express, options: DownloadRouteOptions): void {
  app.get('/evidence/proofpacks/:id/download', async (req: Request, res: Response) => {
    try {
      const forwarded = await gatewayCaller(req, { ...options, refusal: 'Downloads go through the gateway' });
      if (!STAFF.includes(forwarded.principal.role)) throw forbidden('Staff of the tenant download its proofpacks');
      const caller = { principal: forwarded.principal, clientIp: forwarded.clientIp ?? null, userAgent: forwarded.userAgent ?? null };
      const { pack, open } = await options.proofpacks.download(forwarded.principal, caller, String(req.params.id));
      res.status(200);
      res.setHeader('Content-Type', 'application/zip');
      res.setHeader('Content-Length', String(pack.packageSizeBytes));
      res.setHeader('Content-Disposition', `attachment; filename="proofpack-${pack.id}.zip"`);
      res.setHeader('ETag', `"${pack.packageSha256}"`);
      res.setHeader('Cache-Control', 'private, no-store');
      await pipeline(open(), res);
    } catch (error) {
      if (res.headersSent) {
        options.logger.error({ error }, 'proofpack download broke off');
        res.destroy();
        return;
      }
      if (!(error instanceof CodedError)) options.logger.error({ error }, 'proofpack download failed');
      sendHttpError(res, error instanceof CodedError ? error : internalError());
    }
  });
}
