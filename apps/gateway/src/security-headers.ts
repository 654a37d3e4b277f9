import helmet from 'helmet';
import type { RequestHandler } from 'express';

/** Two years, with subdomains: the value browsers' HSTS preload lists ask for. */
const HSTS_MAX_AGE_SECONDS = 2 * 365 * 24 * 60 * 60;

/**
 * The gateway answers JSON, files and the public register pages, none of which needs to run,
 * embed or frame anything: every answer gets a CSP that allows nothing, unless it brings its
 * own (the public HTML page sets a stricter-than-default one of its own, by hash, and the
 * route proxy keeps it). HSTS only on TLS, since a browser ignores it over plain HTTP and a
 * proxy in front that terminates TLS sets its own.
 *
 * Outside production, Apollo's landing page on GET /graphql loads Sandbox from Apollo's CDN
 * with its own nonce-based CSP; the gateway's would forbid it, so that one page is spared.
 */
export function securityHeaders(options: { tls: boolean; production: boolean }): RequestHandler {
  const common = {
    strictTransportSecurity: options.tls ? { maxAge: HSTS_MAX_AGE_SECONDS, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'no-referrer' as const },
  };
  const strict = helmet({
    ...common,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] },
    },
  });
  const landingPage = helmet({ ...common, contentSecurityPolicy: false });
  return (req, res, next) => {
    const servesLandingPage = !options.production && req.method === 'GET' && req.path === '/graphql' && req.accepts('html') === 'html';
    (servesLandingPage ? landingPage : strict)(req, res, next);
  };
}
