// Per-caller rate limits (AGNT5_RATE_LIMIT_PER_MINUTE): a caller past its budget gets 429
// RATE_LIMITED in our error shape with Retry-After; another caller keeps its own budget; probes and
// the console are never counted; 0 turns limiting off. On a bare Fastify with the gateway's error
// handler (the limiter reads nothing else of the gateway); the coordinator's wiring is tested in
// gateway-rate-limit.test.ts.
import Fastify from "fastify";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { gatewayErrorHandler } from "./gateway-error-handler.js";
import { authenticatedCaller, type RateLimitOptions, registerRateLimit } from "./rate-limit.js";

async function appWith(options: RateLimitOptions) {
  const app = Fastify();
  // Stands in for authentication (auth/http-auth-hook.ts): the identity a test request names in
  // x-test-caller, "dev" for x-test-dev (dev mode), none otherwise.
  app.addHook("onRequest", async (request) => {
    const caller = request.headers["x-test-caller"];
    const identity = caller
      ? { kind: "api_key", id: caller }
      : request.headers["x-test-dev"]
        ? { kind: "dev", id: "dev" }
        : undefined;
    Object.assign(request, { identity });
  });
  // Routes added before and after the limiter: both must be counted.
  app.get("/v1/before", async () => ({ ok: true }));
  registerRateLimit(app, options);
  app.get("/v1/after", async () => ({ ok: true }));
  app.get("/health", async () => ({ status: "ok" }));
  app.get("/metrics", async () => "metrics");
  app.get("/console/", async () => "console");
  app.setErrorHandler(gatewayErrorHandler(pino({ level: "silent" }), 1024));
  await app.ready();
  return app;
}

describe("rate limits", () => {
  it("answers 429 RATE_LIMITED with Retry-After once a caller's budget for the minute is spent", async () => {
    const app = await appWith({ perMinute: 3, callerOf: authenticatedCaller });
    const headers = { "x-test-caller": "key_a" };
    const first = await app.inject({ url: "/v1/before", headers });
    expect(first.statusCode).toBe(200);
    expect(first.headers["x-ratelimit-limit"]).toBe("3");
    expect(first.headers["x-ratelimit-remaining"]).toBe("2");
    expect((await app.inject({ url: "/v1/after", headers })).statusCode).toBe(200);
    expect((await app.inject({ url: "/v1/before", headers })).statusCode).toBe(200);

    const refused = await app.inject({ url: "/v1/after", headers });
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toEqual({
      error: { code: "RATE_LIMITED", message: expect.stringContaining("Rate limit of 3 requests a minute exceeded") },
    });
    expect(refused.json().error.message).toContain("AGNT5_RATE_LIMIT_PER_MINUTE");
    const retryAfter = Number(refused.headers["retry-after"]);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers["x-ratelimit-remaining"]).toBe("0");
    await app.close();
  });

  it("keeps a budget per caller, and one per address for requests without a caller", async () => {
    const app = await appWith({ perMinute: 1, callerOf: authenticatedCaller });
    expect((await app.inject({ url: "/v1/after", headers: { "x-test-caller": "key_a" } })).statusCode).toBe(200);
    expect((await app.inject({ url: "/v1/after", headers: { "x-test-caller": "key_a" } })).statusCode).toBe(429);
    // Same address (inject's 127.0.0.1), another key: its own budget.
    expect((await app.inject({ url: "/v1/after", headers: { "x-test-caller": "key_b" } })).statusCode).toBe(200);
    // No caller: counted by address, apart from the keys.
    expect((await app.inject({ url: "/v1/after", remoteAddress: "10.0.0.1" })).statusCode).toBe(200);
    expect((await app.inject({ url: "/v1/after", remoteAddress: "10.0.0.1" })).statusCode).toBe(429);
    expect((await app.inject({ url: "/v1/after", remoteAddress: "10.0.0.2" })).statusCode).toBe(200);
    // Dev mode's one shared identity is counted by address, not as one caller for everybody.
    const dev = { "x-test-dev": "1" };
    expect((await app.inject({ url: "/v1/after", remoteAddress: "10.0.0.3", headers: dev })).statusCode).toBe(200);
    expect((await app.inject({ url: "/v1/after", remoteAddress: "10.0.0.4", headers: dev })).statusCode).toBe(200);
    expect((await app.inject({ url: "/v1/after", remoteAddress: "10.0.0.4", headers: dev })).statusCode).toBe(429);
    await app.close();
  });

  it("never counts health checks, metrics scrapes or the console's files", async () => {
    const app = await appWith({ perMinute: 1 });
    for (let i = 0; i < 5; i++) {
      expect((await app.inject({ url: "/health" })).statusCode).toBe(200);
      expect((await app.inject({ url: "/metrics" })).statusCode).toBe(200);
      expect((await app.inject({ url: "/console/" })).statusCode).toBe(200);
    }
    // The budget is still whole.
    expect((await app.inject({ url: "/v1/after" })).statusCode).toBe(200);
    expect((await app.inject({ url: "/v1/after" })).statusCode).toBe(429);
    await app.close();
  });

  it("limits nothing when perMinute is 0 (the default)", async () => {
    const app = await appWith({ perMinute: 0 });
    for (let i = 0; i < 20; i++) {
      const response = await app.inject({ url: "/v1/after" });
      expect(response.statusCode).toBe(200);
      expect(response.headers["x-ratelimit-limit"]).toBeUndefined();
    }
    await app.close();
  });
});
