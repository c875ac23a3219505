import type { IncomingMessage, ServerResponse } from "node:http";

export interface CorsOptions {
  /** Allowed origins, e.g. ["https://myapp.com"]; omitted or "*": every origin. */
  origins?: readonly string[] | "*";
  /** Seconds a browser may cache a preflight answer. Default 600. */
  maxAgeSeconds?: number;
}

export interface CorsPolicy {
  origins: "*" | ReadonlySet<string>;
  maxAgeSeconds: number;
}

export function createCorsPolicy(options: CorsOptions = {}): CorsPolicy {
  const origins =
    options.origins === undefined || options.origins === "*" ? "*" : new Set(options.origins.map(normalizeOrigin));
  return { origins, maxAgeSeconds: options.maxAgeSeconds ?? 600 };
}

const ALLOWED_METHODS = "GET, POST, OPTIONS";
const DEFAULT_ALLOWED_HEADERS = "Content-Type, Authorization, Idempotency-Key";

/**
 * Adds the CORS response headers for `req`. With an origin list, only a listed Origin is echoed
 * (and `Vary: Origin` tells caches the answer depends on it); other origins get no CORS headers,
 * which is how a browser learns it is refused.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, policy: CorsPolicy): void {
  const origin = req.headers.origin;
  if (policy.origins === "*") {
    res.setHeader("Access-Control-Allow-Origin", "*");
  } else {
    res.setHeader("Vary", "Origin");
    if (!origin || !policy.origins.has(normalizeOrigin(origin))) return;
    res.setHeader("Access-Control-Allow-Origin", origin);
  }
  res.setHeader("Access-Control-Expose-Headers", "agnt5-invocation-id");
  if (req.method === "OPTIONS") {
    res.setHeader("Access-Control-Allow-Methods", ALLOWED_METHODS);
    // Echo what the browser asks for: the endpoints themselves do not restrict request headers.
    res.setHeader(
      "Access-Control-Allow-Headers",
      req.headers["access-control-request-headers"] ?? DEFAULT_ALLOWED_HEADERS,
    );
    res.setHeader("Access-Control-Max-Age", String(policy.maxAgeSeconds));
  }
}

/** Origins compare without a trailing slash and case-insensitively (scheme and host are). */
function normalizeOrigin(origin: string): string {
  return origin.trim().replace(/\/+$/, "").toLowerCase();
}
