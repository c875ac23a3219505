// AGNT5_RATE_LIMIT_PER_MINUTE on a running coordinator, over real HTTP: the routes of the gateway
// and of the admin API share one budget per caller, the answer past it is 429 RATE_LIMITED with
// Retry-After, and the health check is never counted. With authentication on, each API key has its
// own budget, from the same address. The limiter itself is tested in rate-limit.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../config.js";
import { type AuthTestCoordinator, bearer, startAuthCoordinator } from "../test-support/auth-keys.js";
import { startTestCoordinator, type TestCoordinator } from "../test-support/test-coordinator.js";

describe("AGNT5_RATE_LIMIT_PER_MINUTE", () => {
  let coordinator: TestCoordinator;

  beforeAll(async () => {
    coordinator = await startTestCoordinator("postgres", {
      rateLimitPerMinute: loadConfig({ AGNT5_RATE_LIMIT_PER_MINUTE: "3" }).rateLimitPerMinute,
    });
  });

  afterAll(async () => {
    await coordinator?.close();
  });

  it("is off unless set", () => {
    expect(loadConfig({}).rateLimitPerMinute).toBe(0);
    expect(() => loadConfig({ AGNT5_RATE_LIMIT_PER_MINUTE: "lots" })).toThrow(/AGNT5_RATE_LIMIT_PER_MINUTE/);
  });

  it("answers 429 RATE_LIMITED with Retry-After past the budget, and never counts /health", async () => {
    for (let i = 0; i < 5; i++) expect((await fetch(`${coordinator.url}/health`)).status).toBe(200);
    const statuses: number[] = [];
    for (const path of ["/v1/services", "/admin/v1/services", "/v1/runs/nope"]) {
      const response = await fetch(`${coordinator.url}${path}`);
      statuses.push(response.status);
      expect(response.headers.get("x-ratelimit-limit"), path).toBe("3");
    }
    expect(statuses).toEqual([200, 200, 404]);

    const refused = await fetch(`${coordinator.url}/v1/services`);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("RATE_LIMITED");
    expect(body.error.message).toContain("3 requests a minute");
    expect((await fetch(`${coordinator.url}/health`)).status).toBe(200);
  });
});

describe("AGNT5_RATE_LIMIT_PER_MINUTE with API keys", () => {
  let auth: AuthTestCoordinator;

  beforeAll(async () => {
    auth = await startAuthCoordinator("postgres", { rateLimitPerMinute: 2 });
  });

  afterAll(async () => {
    await auth?.close();
  });

  it("counts each key apart, though all come from one address", async () => {
    // Created before the operator's budget is spent (this call counts against the admin key).
    const reader = await auth.createKey({ name: "reader", scopes: ["read"] });
    const services = (key: string) => fetch(`${auth.coordinator.url}/v1/services`, { headers: bearer(key) });
    expect((await services(auth.adminKey)).status).toBe(200);
    expect((await services(auth.adminKey)).status).toBe(429);
    expect((await services(reader.secret)).status).toBe(200);
    expect((await services(reader.secret)).status).toBe(200);
    expect((await services(reader.secret)).status).toBe(429);
    // A request refused by authentication is not counted against anybody (nor answered 429).
    expect((await services("agnt5_sk_wrong")).status).toBe(401);
  });
});
