// A secret read through ctx.secrets() never leaves the worker: not in a log line (worker or
// coordinator), a journal entry (a step's result), an error message or an HTTP answer. In-process
// coordinator on PostgreSQL and an SDK Worker over real gRPC and HTTP.
import { randomUUID } from "node:crypto";
import { Registry, TerminalError, Worker, workflow } from "@agnt5/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postJson, send } from "../test-support/http.js";
import { startTestCoordinator, type TestCoordinator } from "../test-support/test-coordinator.js";
import { type CapturedLog, capturingLogger } from "../test-support/test-engine.js";

const SERVICE = "secret-service";
/** Unique per run, so a match can only come from this test. */
const SECRET = `sk-live-${randomUUID()}`;

function leakyService() {
  const registry = new Registry();
  workflow({ name: "leaky", registry }, async (ctx, input: { fail?: boolean }) => {
    const key = await ctx.secrets().require("payment_api_key");
    ctx.log().info({ key }, `calling the payments API with ${key}`);
    const echoed = await ctx.step("echo", () => ({ authorization: `Bearer ${key}` }));
    if (input.fail) throw new TerminalError(`the API refused key ${key}`, { code: "REFUSED", details: { key } });
    return { echoed, key, note: "done" };
  });
  return registry;
}

describe("secrets are redacted wherever they would leave the worker", () => {
  let coordinator: TestCoordinator;
  let worker: Worker;
  let running: Promise<void>;
  let workerLog: CapturedLog;
  let coordinatorLog: CapturedLog;

  beforeAll(async () => {
    coordinatorLog = capturingLogger();
    coordinator = await startTestCoordinator("postgres", {}, coordinatorLog.logger);
    workerLog = capturingLogger();
    worker = new Worker({
      serviceName: SERVICE,
      coordinatorEndpoint: coordinator.endpoint,
      registry: leakyService(),
      logger: workerLog.logger,
      handleSignals: false,
      catchUnhandledRejections: false,
      secrets: { get: (key) => (key === "payment_api_key" ? SECRET : undefined) },
    });
    running = worker.run();
    await worker.ready;
  }, 60_000);

  afterAll(async () => {
    await worker?.stop("test finished");
    await running;
    await coordinator?.close();
  }, 60_000);

  it("keeps it out of the answer, the journal and every log line of a completed run", async () => {
    const answer = await postJson(`${coordinator.url}/v1/services/${SERVICE}/leaky`, {});
    expect(answer.status).toBe(200);
    expect(answer.text).not.toContain(SECRET);
    expect(answer.body).toEqual({ echoed: { authorization: "Bearer [REDACTED]" }, key: "[REDACTED]", note: "done" });
    const runId = answer.headers.get("agnt5-invocation-id");
    const journal = await send(`${coordinator.url}/v1/runs/${runId}/journal`);
    expect(journal.status).toBe(200);
    expect(journal.text).toContain('"echo"');
    expect(journal.text).not.toContain(SECRET);
    // The handler's own line was written, redacted.
    const line = await workerLog.logged(
      (l) => typeof l.msg === "string" && l.msg.startsWith("calling the payments API"),
    );
    expect(line).toMatchObject({ msg: "calling the payments API with [REDACTED]", key: "[REDACTED]", runId });
    expect(JSON.stringify(workerLog.lines)).not.toContain(SECRET);
    expect(JSON.stringify(coordinatorLog.lines)).not.toContain(SECRET);
  }, 60_000);

  it("keeps it out of a failure's message and details, in the answer and in the logs", async () => {
    const answer = await postJson(`${coordinator.url}/v1/services/${SERVICE}/leaky`, { fail: true });
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.text).toContain("the API refused key [REDACTED]");
    expect(answer.text).not.toContain(SECRET);
    await workerLog.logged((l) => typeof l.msg === "string" && l.msg.includes("the API refused key"));
    expect(JSON.stringify(workerLog.lines)).not.toContain(SECRET);
    expect(JSON.stringify(coordinatorLog.lines)).not.toContain(SECRET);
  }, 60_000);
});
