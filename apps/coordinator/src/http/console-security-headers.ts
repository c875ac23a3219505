import type { FastifyHelmetOptions } from "@fastify/helmet";

/**
 * Browser security headers for the console's pages and files (@fastify/helmet).
 *
 * The Content-Security-Policy fits the built console (apps/console, Vite + Preact): one module
 * script and one stylesheet from /console/assets, no inline script or style element (Preact sets
 * `style` through the CSSOM, which CSP does not govern), the `data:` favicon, and fetches to
 * /admin/v1 on the same origin. Anything else (an injected script, a third-party origin, a frame,
 * a plugin) is refused by the browser. No `upgrade-insecure-requests`: a gateway served over plain
 * HTTP on a private network would have its own assets rewritten to https:// and the page would not
 * load.
 */
export const CONSOLE_SECURITY_HEADERS: FastifyHelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      "default-src": ["'self'"],
      "script-src": ["'self'"],
      "script-src-attr": ["'none'"],
      "style-src": ["'self'"],
      "img-src": ["'self'", "data:"],
      "font-src": ["'self'"],
      "connect-src": ["'self'"],
      "object-src": ["'none'"],
      "base-uri": ["'none'"],
      "form-action": ["'self'"],
      // No other site may frame the console (clickjacking an Approve button).
      "frame-ancestors": ["'none'"],
    },
  },
  // The same for browsers that predate frame-ancestors.
  xFrameOptions: { action: "deny" },
  // Run ids and entity keys in the console's URLs (its hash routes) are not sent to other sites.
  referrerPolicy: { policy: "no-referrer" },
  // Browsers honour it only over HTTPS (AGNT5_TLS_*); not includeSubDomains, which is the domain
  // owner's decision, not the coordinator's.
  strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: false },
  // X-Content-Type-Options: nosniff and helmet's other defaults (Cross-Origin-Opener-Policy,
  // Cross-Origin-Resource-Policy, Origin-Agent-Cluster, ...) stay as helmet sets them.
};
