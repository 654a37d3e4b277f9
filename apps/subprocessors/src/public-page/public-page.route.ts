import type { Express, Request, Response } from 'express';
import { LRUCache } from 'lru-cache';
import { httpErrorBody, internalError, notFound, sendHttpError } from '@compliance-graph/auth';
import type { Logger } from '@compliance-graph/config';
import { renderRegisterAtom } from './public-page.atom';
import { HTML_CSP, renderRegisterHtml } from './public-page.html';
import { maxAgeSeconds, registerJson, validatorsOf, type PublicRegisterView, type PublicValidators } from './public-page.model';
import type { PublicPageService } from './public-page.service';

interface PublicPageRouteOptions {
  pages: PublicPageService;
  /** The origin the gateway serves the public routes on, for the feed's absolute links. */
  publicOrigin: string;
  logger: Logger;
}

const pagePath = (slug: string) => `/public/${slug}/subprocessors`;

/** A document that runs nothing and embeds nothing: what the feeds and the 404 are sent with. */
const DOCUMENT_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox";

interface Format {
  suffix: string;
  contentType: string;
  csp: string;
  render(register: PublicRegisterView, validators: PublicValidators, origin: string): string;
}

const FORMATS: Record<'html' | 'json' | 'atom', Format> = {
  html: { suffix: '', contentType: 'text/html; charset=utf-8', csp: HTML_CSP, render: renderRegisterHtml },
  json: { suffix: '.json', contentType: 'application/json; charset=utf-8', csp: DOCUMENT_CSP, render: (register) => JSON.stringify(registerJson(register)) },
  atom: {
    suffix: '.atom',
    contentType: 'application/atom+xml; charset=utf-8',
    csp: DOCUMENT_CSP,
    render: (register, validators, origin) => {
      const page = `${origin}${pagePath(register.tenant.slug)}`;
      return renderRegisterAtom(register, validators, { page, self: `${page}.atom` });
    },
  },
};

const commonHeaders = (res: Response, csp: string) => {
  res.setHeader('Content-Security-Policy', csp);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
};

/**
 * One answer for every slug that has no public page: unknown, malformed, or a tenant that has
 * not enabled it. Prepared once, so the three cannot differ by a byte (or by a header).
 */
const NOT_FOUND_BODY = Buffer.from(JSON.stringify(httpErrorBody(notFound())));
function sendNotFound(res: Response): void {
  commonHeaders(res, DOCUMENT_CSP);
  res.status(404);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(NOT_FOUND_BODY);
}

/** What one form of one version of a register renders to, kept for the polls that follow. */
interface RenderedForm {
  etag: string;
  lastModified: Date;
  body: string;
}

/** Rendered forms kept at most (by their bytes): every tenant's current three forms, many times over. */
const RENDERED_MAX_BYTES = 64 * 1_048_576;

/**
 * GET /public/:tenantSlug/subprocessors (HTML), .json and .atom: the tenant's register and
 * announced changes for anyone, no credentials, only when the tenant enabled its public page.
 * Feed readers poll: every answer carries ETag and Last-Modified and a short public max-age, and
 * a matching If-None-Match (or, without one, If-Modified-Since) is answered 304 without a body.
 * A poll costs the register's version (one aggregate) while nothing changed: each version's forms
 * are rendered once and kept, so neither a 304 nor a 200 computes the register again.
 */
export function mountPublicPage(app: Express, options: PublicPageRouteOptions): void {
  const rendered = new LRUCache<string, RenderedForm>({ maxSize: RENDERED_MAX_BYTES, sizeCalculation: (form) => Math.max(1, Buffer.byteLength(form.body)) });
  for (const format of Object.values(FORMATS)) {
    app.get(`${pagePath(':tenantSlug')}${format.suffix}`, async (req: Request, res: Response) => {
      try {
        const state = await options.pages.stateOf(String(req.params.tenantSlug));
        if (!state) return sendNotFound(res);
        const key = `${format.suffix}\n${state.version}`;
        let form = rendered.get(key);
        if (!form) {
          const register = await options.pages.read(state);
          const validators = validatorsOf(register);
          form = { etag: validators.etag(format.suffix), lastModified: validators.lastModified, body: format.render(register, validators, options.publicOrigin) };
          rendered.set(key, form);
        }
        commonHeaders(res, format.csp);
        res.setHeader('ETag', form.etag);
        res.setHeader('Last-Modified', form.lastModified.toUTCString());
        res.setHeader('Cache-Control', `public, max-age=${maxAgeSeconds(state)}`);
        // Express's freshness check (the `fresh` package): If-None-Match first, weak comparison.
        if (req.fresh) return void res.status(304).end();
        res.status(200);
        res.setHeader('Content-Type', format.contentType);
        res.end(form.body);
      } catch (error) {
        options.logger.error({ error, route: req.route?.path }, 'public register page failed');
        sendHttpError(res, internalError());
      }
    });
  }
}
