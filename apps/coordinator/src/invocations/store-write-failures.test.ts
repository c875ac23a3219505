// The engine when a store write fails at a precise moment (a database blip): the failure is logged
// as our error, the process keeps running (no unhandled rejection), and the invocation is not lost.
import { create, SuspendInvocationSchema } from "@agnt5/proto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ERROR_LEVEL, startTestEngine, type TestEngine } from "../test-support/test-engine.js";

describe("store write failures in the engine", () => {
  let engine: TestEngine;
  beforeEach(async () => {
    engine = await startTestEngine();
  });
  afterEach(async () => {
    await engine?.close();
  });

  const startFlow = async () => {
    const worker = engine.connectWorker("svc", { flow: "workflow" });
    const handle = await engine.manager.submit({
      service: "svc",
      handler: "flow",
      kind: "workflow",
      input: "null",
      headers: {},
    });
    await handle.recorded;
    const first = await worker.started(handle.id);
    return { worker, id: handle.id, first };
  };

  /** Holds the store's next suspend write until the returned function is called. */
  const holdSuspend = () => {
    const invocations = engine.store.invocations;
    const suspend = invocations.suspend.bind(invocations);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    invocations.suspend = async (id, waitingOn) => {
      await gate;
      return suspend(id, waitingOn);
    };
    return release;
  };

  it("re-dispatches a run cancelled while suspending even when recording its resume fails", async () => {
    const { worker, id, first } = await startFlow();
    const release = holdSuspend();
    engine.store.invocations.resume = () => Promise.reject(new Error("connection terminated"));

    engine.manager.suspend(
      worker.connection,
      create(SuspendInvocationSchema, { invocationId: id, attempt: first.attempt, waitingOn: [0] }),
    );
    // The cancellation arrives while the suspension is being recorded: the run must come back.
    await engine.manager.cancel(id);
    release();

    const again = await worker.started(id, 2);
    expect(again.cancelRequested).toBe(true);
    const logged = engine.lines.find((line) => line.invocationId === id && line.level === ERROR_LEVEL);
    expect(logged?.msg).toContain("resume");
    expect(logged?.err?.stack).toContain("connection terminated");
  });

  it("resumes a suspended run once the store accepts the resume again", async () => {
    const { worker, id, first } = await startFlow();
    engine.manager.suspend(
      worker.connection,
      create(SuspendInvocationSchema, { invocationId: id, attempt: first.attempt, waitingOn: [0] }),
    );
    await engine.logged((line) => line.invocationId === id && line.msg === "Invocation suspended");
    const invocations = engine.store.invocations;
    const resume = invocations.resume.bind(invocations);
    let failures = 0;
    invocations.resume = (resumedId) => {
      if (failures++ === 0) return Promise.reject(new Error("connection terminated"));
      return resume(resumedId);
    };
    // Two deliveries race for the same resume: neither may leave a rejection unhandled.
    engine.manager.timerFired({ invocationId: id, index: 0, result: { ok: true, value: "null" } });
    engine.manager.timerFired({ invocationId: id, index: 0, result: { ok: true, value: "null" } });

    const again = await worker.started(id, 2);
    expect(again.invocationId).toBe(id);
    const errors = engine.lines.filter((line) => line.level === ERROR_LEVEL);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.msg).toContain("Could not resume invocation");
  });
});
