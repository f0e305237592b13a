import helmet from "helmet";
import type { RequestHandler } from "express";

/**
 * Security headers on every response (OWASP Secure Headers): a Content-Security-Policy that allows
 * no inline script or style and no framing (CSP Level 3 `frame-ancestors 'none'`, with the legacy
 * X-Frame-Options: DENY beside it), `X-Content-Type-Options: nosniff` and `Referrer-Policy:
 * no-referrer`. The pages in public/ load their script and style from files for this reason.
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        // The page reads the printable report it fetched as a blob: URL (the "In báo cáo" button).
        connectSrc: ["'self'", "blob:"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
      },
    },
    frameguard: { action: "deny" },
    referrerPolicy: { policy: "no-referrer" },
    // HSTS only makes sense behind TLS, which a reverse proxy in front of the service sets.
    strictTransportSecurity: false,
    crossOriginEmbedderPolicy: false,
  }) as RequestHandler;
}
