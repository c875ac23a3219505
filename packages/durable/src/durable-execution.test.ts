import { Agnt5Error, fn, RetryableError, TerminalError, workflow } from "@agnt5/core";
import { describe, expect, it } from "vitest";
import { DurableExecution } from "./durable-execution.js";
import { createHarness, flush, ok } from "./test-support/harness.js";

describe("DurableExecution outcomes", () => {
  it("completes with the handler's value", async () => {
    const h = createHarness();
    await expect(h.execution.run(() => 42)).resolves.toEqual({ type: "completed", value: 42 });
    expect(h.frames).toEqual([]);
  });

  it("fails non-retryable on a TerminalError", async () => {
    const h = createHarness();
    const outcome = await h.execution.run(async () => {
      throw new TerminalError("invalid order", { code: "INVALID_ORDER", details: { id: 1 } });
    });
    expect(outcome).toMatchObject({
      type: "failed",
      failure: {
        code: "INVALID_ORDER",
        message: "invalid order",
        type: "TerminalError",
        retryable: false,
        details: { id: 1 },
      },
    });
  });

  it("fails retryable with HANDLER_ERROR and the stack on any other error, thrown synchronously or not", async () => {
    for (const body of [
      () => {
        throw new TypeError("x is undefined");
      },
      async () => {
        throw new TypeError("x is undefined");
      },
    ]) {
      const outcome = await createHarness().execution.run(body);
      expect(outcome).toMatchObject({
        type: "failed",
        failure: { code: "HANDLER_ERROR", message: "x is undefined", type: "TypeError", retryable: true },
      });
      expect((outcome as { failure: { stack?: string } }).failure.stack).toContain("TypeError: x is undefined");
    }
  });

  it("keeps a RetryableError's retryAfterMs and an Agnt5Error's code", async () => {
    const retry = await createHarness().execution.run(() => {
      throw new RetryableError("later", { retryAfterMs: 250 });
    });
    expect(retry).toMatchObject({ type: "failed", failure: { code: "RETRYABLE", retryable: true, retryAfterMs: 250 } });
    const coded = await createHarness().execution.run(() => {
      throw new Agnt5Error({ message: "quota", code: "QUOTA" });
    });
    expect(coded).toMatchObject({ type: "failed", failure: { code: "QUOTA", retryable: true } });
  });

  it("can run only once", () => {
    const h = createHarness();
    void h.execution.run(() => 1);
    expect(() => h.execution.run(() => 2)).toThrow("can be called once");
  });

  it("ignores acks for unknown or completed indexes", async () => {
    const h = createHarness();
    const outcome = h.execution.run(async (ctx) => ctx.step("a", () => 1));
    await flush();
    h.ack(7, ok("nothing"));
    h.ack(0, ok(1));
    h.ack(0, ok(2));
    await expect(outcome).resolves.toEqual({ type: "completed", value: 1 });
  });

  it("fails retryably with SEND_FAILED when the runtime cannot send a frame", async () => {
    const h = createHarness({
      send: () => {
        throw new Error("stream closed");
      },
    });
    const outcome = await h.execution.run(async (ctx) => ctx.step("a", () => 1));
    expect(outcome).toMatchObject({
      type: "failed",
      failure: {
        code: "SEND_FAILED",
        message: "Could not send propose to the coordinator: stream closed",
        retryable: true,
      },
    });
  });
});

describe("DurableExecution.context", () => {
  it("exposes the invocation's facts and run properties", () => {
    const controller = new AbortController();
    const execution = new DurableExecution({
      invocationId: "inv-9",
      runId: "run-9",
      attempt: 2,
      componentType: "function",
      componentName: "process_pipeline",
      serviceName: "etl",
      journal: [],
      send: () => {},
      metadata: { service_name: "etl" },
      headers: { "x-request-id": "r" },
      signal: controller.signal,
    });
    expect(execution.context).toMatchObject({
      invocationId: "inv-9",
      runId: "run-9",
      attempt: 2,
      componentType: "function",
      componentName: "process_pipeline",
      metadata: { service_name: "etl" },
      headers: { "x-request-id": "r" },
      stepId: undefined,
      objectId: undefined,
      methodName: undefined,
    });
    expect(execution.context.abortSignal).toBe(controller.signal);
  });

  it("reaches function and workflow handlers through their definitions as is", async () => {
    const registry = false as const;
    const pipeline = fn({ name: "pipeline", registry }, async (id: string, ctx) => {
      const raw = await ctx.step("extract", () => `raw ${id}`);
      return ctx.step("analyze", () => raw.toUpperCase());
    });
    const h = createHarness({ componentType: "function" });
    h.autoAck();
    await expect(h.execution.run((ctx) => pipeline.invoke("d1", ctx))).resolves.toEqual({
      type: "completed",
      value: "RAW D1",
    });

    const flow = workflow({ name: "flow", registry }, async (ctx, n: number) => {
      const doubled = await ctx.task<number>("math", "double", n);
      return { doubled, ctxIsEngine: ctx === h2.execution.context };
    });
    const h2 = createHarness();
    h2.autoAck(() => ok(8));
    await expect(h2.execution.run((ctx) => flow.invoke(4, ctx))).resolves.toEqual({
      type: "completed",
      value: { doubled: 8, ctxIsEngine: true },
    });
  });
});
