// No API key, worker token or bootstrap secret appears in any line the coordinator logs, whatever
// happens: accepted and refused requests, created and revoked keys, accepted and refused workers.
// The coordinator's pino lines are captured at debug level.
import { once } from "node:events";
import { fn, Registry, Worker } from "@agnt5/sdk";
import { describe, expect, it } from "vitest";
import { bearer, startAuthCoordinator } from "../test-support/auth-keys.js";
import { postJson, send } from "../test-support/http.js";
import { capturingLogger } from "../test-support/test-engine.js";
import { startTestWorker } from "../test-support/test-worker.js";

function registry() {
  const r = new Registry();
  fn({ name: "ping", registry: r }, () => "pong");
  return r;
}

describe("secrets in logs (PostgreSQL)", () => {
  it("never logs a key or token, in any outcome", async () => {
    const captured = capturingLogger();
    const auth = await startAuthCoordinator("postgres", {}, captured.logger);
    const secrets = [auth.adminKey, auth.workerToken];
    try {
      const caller = await auth.createKey({ name: "caller", scopes: ["call", "read"] });
      const token = await auth.createKey({ name: "pinger", kind: "worker_token", services: ["pinger"] });
      secrets.push(caller.secret, token.secret);
      const wrong = "agnt5_sk_this-is-a-wrong-key-that-must-not-be-logged-0001";
      secrets.push(wrong);

      await using _worker = await startTestWorker({
        serviceName: "pinger",
        endpoint: auth.coordinator.endpoint,
        registry: registry(),
        token: token.secret,
      });
      expect(
        (await postJson(`${auth.coordinator.url}/v1/services/pinger/ping`, null, bearer(caller.secret))).status,
      ).toBe(200);
      expect((await send(`${auth.coordinator.url}/v1/services`, { headers: bearer(wrong) })).status).toBe(401);
      expect((await send(`${auth.coordinator.url}/admin/v1/keys`, { headers: bearer(caller.secret) })).status).toBe(
        403,
      );

      // A refused worker (a token for another service), logged by the coordinator as a warning.
      const refused = new Worker({
        serviceName: "not-pinger",
        coordinatorEndpoint: auth.coordinator.endpoint,
        registry: registry(),
        handleSignals: false,
        catchUnhandledRejections: false,
        logLevel: "silent",
        token: token.secret,
      });
      const disconnected = once(refused, "disconnected");
      const running = refused.run();
      await disconnected;
      await refused.stop();
      await running;
      await captured.logged((line) => line.msg === "Rejected worker stream");

      await auth.admin.revokeKey(caller.id);
      expect((await send(`${auth.coordinator.url}/v1/services`, { headers: bearer(caller.secret) })).status).toBe(401);
    } finally {
      await auth.close();
    }
    const everything = JSON.stringify(captured.lines);
    expect(captured.lines.length).toBeGreaterThan(3);
    for (const secret of secrets) expect(everything).not.toContain(secret);
  });
});
