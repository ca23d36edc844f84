import helmet from 'helmet';
import type { RequestHandler } from 'express';

/**
 * The browser-hardening headers of every HTTP service (helmet): what the console set by hand, now
 * on every API too. One strict Content-Security-Policy — scripts, styles and everything else only
 * from the service's own origin, no inline script, no framing, no plugins — fits the console's
 * bundled web app (app.js, app.css) and JSON APIs alike. `upgrade-insecure-requests` is left out:
 * the local platform is plain HTTP (behind a TLS proxy the browser is already on https).
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        styleSrc: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
}
