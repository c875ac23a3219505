// A poison invocation that keeps killing its workers is failed with WORKER_LOST; an invocation
// that has merely lived long (retried, outlived coordinator restarts) is not, at its first loss.
import { create, FailureSchema, InvocationFailedSchema } from "@agnt5/proto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTestEngine, type TestEngine } from "../test-support/test-engine.js";

describe("worker losses", () => {
  let engine: TestEngine;
  beforeEach(async () => {
    engine = await startTestEngine();
  });
  afterEach(async () => {
    await engine?.close();
  });

  const submitFlow = async () => {
    const handle = await engine.manager.submit({
      service: "svc",
      handler: "flow",
      kind: "workflow",
      input: "null",
      headers: {},
    });
    await handle.recorded;
    return handle;
  };

  it("re-dispatches a long-lived run at its first worker loss, however many attempts it has had", async () => {
    let worker = engine.connectWorker("svc", { flow: "workflow" });
    const { id } = await submitFlow();
    let start = await worker.started(id);
    // Twelve attempts: eleven retried failures, then the coordinator restarts (recovery counts one more).
    for (let retry = 2; retry <= 12; retry++) {
      engine.manager.failed(
        worker.connection,
        create(InvocationFailedSchema, {
          invocationId: id,
          attempt: start.attempt,
          failure: create(FailureSchema, { code: "STEP_RETRY", message: "transient", retryable: true }),
        }),
      );
      start = await worker.started(id, retry);
    }
    engine = await engine.restart();
    worker = engine.connectWorker("svc", { flow: "workflow" });
    start = await worker.started(id);
    expect(start.attempt).toBeGreaterThanOrEqual(10);

    engine.manager.workerLost(worker.connection);
    const replacement = engine.connectWorker("svc", { flow: "workflow" });
    // Whichever comes first: its re-dispatch, or its end.
    const next = await Promise.race([replacement.started(id), engine.manager.waitForEnd(id)]);
    expect(next).toMatchObject({ invocationId: id, attempt: start.attempt + 1 });
  });

  it("fails an invocation with WORKER_LOST once it has lost ten workers", async () => {
    let worker = engine.connectWorker("svc", { flow: "workflow" });
    const handle = await submitFlow();
    for (let loss = 1; loss < 10; loss++) {
      await worker.started(handle.id);
      engine.manager.workerLost(worker.connection);
      worker = engine.connectWorker("svc", { flow: "workflow" });
    }
    await worker.started(handle.id);
    engine.manager.workerLost(worker.connection);
    const outcome = await handle.outcome;
    expect(outcome).toMatchObject({ status: "failed", error: { code: "WORKER_LOST" } });
    expect(outcome.status === "failed" && outcome.error.message).toContain("10 times");
  });
});
