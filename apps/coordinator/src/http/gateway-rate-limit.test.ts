// AGNT5_RATE_LIMIT_PER_MINUTE on a running coordinator, over real HTTP: the routes of the gateway
// and of the admin API share one budget per caller, the answer past it is 429 RATE_LIMITED with
// Retry-After, and the health check is never counted. The limiter itself is tested in
// rate-limit.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../config.js";
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
