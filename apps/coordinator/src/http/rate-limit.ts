/**
 * Per-caller rate limits on the HTTP gateway (AGNT5_RATE_LIMIT_PER_MINUTE), counted by
 * @fastify/rate-limit. A caller over its limit is answered 429 RATE_LIMITED in our error shape, with
 * Retry-After (seconds until its window resets) and the x-ratelimit-* headers on every counted answer.
 *
 * Counted per authenticated key when the request carries one (so callers behind one proxy or NAT do
 * not share a budget), else per client address. The counter runs after authentication (preHandler),
 * so a refused key costs nothing here. Counts live in this coordinator process, in a bounded LRU:
 * a restart forgets them.
 */
import fastifyRateLimit, { type RateLimitPluginOptions } from "@fastify/rate-limit";
import type { FastifyInstance, FastifyRequest } from "fastify";
// request.identity, set by the authentication hook (its declaration merges into FastifyRequest).
import type {} from "../auth/http-auth-hook.js";
import { CoordinatorError } from "../errors.js";

export interface RateLimitOptions {
  /** Requests each caller may make in a minute; 0 turns limiting off. */
  perMinute: number;
  /**
   * Who the request comes from when it is authenticated (an API key's id, a JWT subject), or
   * undefined to count it by its client address.
   */
  callerOf?: (request: FastifyRequest) => string | undefined;
}

const WINDOW_MS = 60_000;
/** Distinct callers remembered; past this the least recently seen is forgotten (its count restarts). */
const TRACKED_CALLERS = 10_000;

/**
 * Paths never counted: probes and scrapes (a health check every few seconds from one address must
 * not eat a caller's budget) and the console's static files (one page load fetches several).
 */
const UNCOUNTED = [/^\/health(?:\?|$)/, /^\/metrics(?:\?|$)/, /^\/console(?:[/?]|$)/];

/**
 * The authenticated caller of a request (auth/http-auth-hook.ts sets request.identity): an API key's
 * id or a JWT's subject. In dev mode every caller is the same "dev" identity, so requests are counted
 * by address instead.
 */
export function authenticatedCaller(request: FastifyRequest): string | undefined {
  const identity = request.identity;
  return identity === undefined || identity.kind === "dev" ? undefined : `${identity.kind}:${identity.id}`;
}

/** The key a request is counted under: its caller's identity, else its address. */
export function rateLimitKey(request: FastifyRequest, callerOf?: RateLimitOptions["callerOf"]): string {
  const caller = callerOf?.(request);
  return caller === undefined ? `address:${request.ip}` : `caller:${caller}`;
}

/** Counts every route of `app` (those added before and after this call) unless perMinute is 0. */
export function registerRateLimit(app: FastifyInstance, options: RateLimitOptions): void {
  if (options.perMinute <= 0) return;
  const settings: RateLimitPluginOptions = {
    // Not through onRoute (only routes added after the plugin loads would be counted): one hook below.
    global: false,
    max: options.perMinute,
    timeWindow: WINDOW_MS,
    cache: TRACKED_CALLERS,
    hook: "preHandler",
    keyGenerator: (request) => rateLimitKey(request, options.callerOf),
    allowList: (request) => UNCOUNTED.some((path) => path.test(request.url)),
    // Thrown by the plugin, answered by the gateway's error handler in our shape (status from the table).
    errorResponseBuilder: (_request, context) =>
      new CoordinatorError(
        "RATE_LIMITED",
        `Rate limit of ${context.max} requests a minute exceeded (AGNT5_RATE_LIMIT_PER_MINUTE); retry in ${context.after}`,
      ),
  };
  app.register(fastifyRateLimit, settings);
  // After the plugin has loaded (its decorator exists), still before the gateway is ready: a hook on
  // the root instance applies to every route, whenever it was added.
  app.after(() => {
    app.addHook("preHandler", app.rateLimit());
  });
}
