/**
 * Per-caller rate limits on the HTTP gateway (AGNT5_RATE_LIMIT_PER_MINUTE), counted by
 * @fastify/rate-limit. A caller over its limit is answered 429 RATE_LIMITED in our error shape, with
 * Retry-After (seconds until its window resets) and the x-ratelimit-* headers on every counted answer.
 *
 * Counted per authenticated key when the request carries one (so callers behind one proxy or NAT do
 * not share a budget), else per client address. The counter runs after authentication (preHandler),
 * so a refused key costs nothing here. A single coordinator counts in its own process, in a bounded
 * LRU (a restart forgets them); replicas (AGNT5_CLUSTER=1) count in Redis, so a caller's budget is
 * shared by every replica it reaches. Redis unreachable: calls are not counted rather than refused.
 */
import fastifyRateLimit, { type RateLimitPluginOptions } from "@fastify/rate-limit";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { Redis } from "ioredis";
// request.identity, set by the authentication hook (its declaration merges into FastifyRequest).
import type {} from "../auth/http-auth-hook.js";
import { CoordinatorError } from "../errors.js";
import type { Logger } from "../logger.js";

export interface RateLimitOptions {
  /** Requests each caller may make in a minute; 0 turns limiting off. */
  perMinute: number;
  /**
   * Who the request comes from when it is authenticated (an API key's id, a JWT subject), or
   * undefined to count it by its client address.
   */
  callerOf?: (request: FastifyRequest) => string | undefined;
  /**
   * Count in Redis under `prefix` (one per cluster) instead of in this process: replicas share each
   * caller's budget.
   */
  shared?: { redisUrl: string; prefix: string; logger: Logger };
}

/** A Redis that does not answer within this is skipped (the call is not counted), not waited for. */
const REDIS_COMMAND_TIMEOUT_MS = 1_000;

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
  if (options.shared) {
    settings.redis = sharedCounter(app, options.shared);
    settings.nameSpace = `${options.shared.prefix}:rate-limit:`;
    // Redis down must not refuse every call: the limit is a guard, PostgreSQL is what matters.
    settings.skipOnError = true;
  }
  app.register(fastifyRateLimit, settings);
  // After the plugin has loaded (its decorator exists), still before the gateway is ready: a hook on
  // the root instance applies to every route, whenever it was added.
  app.after(() => {
    app.addHook("preHandler", app.rateLimit());
  });
}

/**
 * The Redis client the counts go through: commands fail at once while it is unreachable (no
 * queue, no retries), so a request is never held up waiting for Redis; it reconnects by itself.
 */
function sharedCounter(app: FastifyInstance, shared: NonNullable<RateLimitOptions["shared"]>): Redis {
  const redis = new Redis(shared.redisUrl, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    retryStrategy: (attempt: number) => Math.min(100 * attempt, 2_000),
    lazyConnect: true,
  });
  let down = false;
  redis.on("error", (error: Error) => {
    if (down) return;
    down = true;
    shared.logger.warn({ err: error }, "Redis is unreachable: rate limits are not counted until it is back");
  });
  redis.on("ready", () => {
    if (down) shared.logger.info("Redis is reachable again: rate limits are counted");
    down = false;
  });
  // Connected before the gateway serves (else its first calls would go uncounted); Redis down at
  // start-up delays nothing past the first attempt: it keeps reconnecting in the background.
  app.addHook("onReady", async () => {
    await redis.connect().catch(() => undefined);
  });
  app.addHook("onClose", async () => {
    redis.disconnect();
  });
  return redis;
}
