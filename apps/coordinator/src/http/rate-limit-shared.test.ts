// Rate limits counted in Redis (what replicas use, AGNT5_CLUSTER=1): two gateways with the same
// prefix share each caller's budget; Redis unreachable lets calls through uncounted (never a 429
// or a 500 for every call) and says so once in the log. Real Redis, a fresh prefix per test.
import { randomBytes } from "node:crypto";
import Fastify from "fastify";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { TEST_REDIS_URL } from "../test-support/test-cluster.js";
import { capturingLogger } from "../test-support/test-engine.js";
import { gatewayErrorHandler } from "./gateway-error-handler.js";
import { type RateLimitOptions, registerRateLimit } from "./rate-limit.js";

const apps: Array<{ close(): Promise<unknown> }> = [];

async function gateway(options: RateLimitOptions) {
  const app = Fastify();
  registerRateLimit(app, options);
  app.get("/v1/thing", async () => ({ ok: true }));
  app.setErrorHandler(gatewayErrorHandler(pino({ level: "silent" }), 1024));
  await app.ready();
  apps.push(app);
  return app;
}

afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

describe("rate limits shared through Redis", () => {
  it("counts one budget per caller across gateways with the same prefix", async () => {
    const prefix = `agnt5:test:${randomBytes(6).toString("hex")}`;
    const shared = { redisUrl: TEST_REDIS_URL, prefix, logger: pino({ level: "silent" }) };
    const [one, two] = await Promise.all([gateway({ perMinute: 4, shared }), gateway({ perMinute: 4, shared })]);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await (i % 2 === 0 ? one! : two!).inject({ url: "/v1/thing" })).statusCode);
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    // Another cluster (another prefix) has its own count.
    const other = await gateway({ perMinute: 4, shared: { ...shared, prefix: `${prefix}-other` } });
    expect((await other.inject({ url: "/v1/thing" })).statusCode).toBe(200);
  });

  it("lets calls through uncounted while Redis is unreachable", async () => {
    const log = capturingLogger();
    const app = await gateway({
      perMinute: 1,
      shared: { redisUrl: "redis://127.0.0.1:1", prefix: "agnt5:test:down", logger: log.logger },
    });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await app.inject({ url: "/v1/thing" })).statusCode);
    expect(statuses).toEqual([200, 200, 200]);
    await log.logged((line) => String(line.msg).includes("rate limits are not counted"));
  });
});
