import { SignalTimeoutError } from "@agnt5/core";
import { describe, expect, it } from "vitest";
import { createHarness, flush, NOW, ok } from "./test-support/harness.js";

describe("ctx.signal", () => {
  it("proposes a signal_wait, waits through the pending ack, and returns the payload", async () => {
    const h = createHarness();
    const seen: unknown[] = [];
    const outcome = h.execution.run(async (ctx) => {
      const payload = await ctx.signal<{ approved: boolean }>("approval_signal");
      seen.push(payload);
      return payload.approved;
    });
    await flush();
    expect(h.proposals()).toEqual([{ index: 0, kind: "signal_wait", name: "approval_signal", request: {} }]);
    h.ack(0);
    await flush();
    expect(seen).toEqual([]);
    h.ack(0, ok({ payload: { approved: true } }));
    await expect(outcome).resolves.toEqual({ type: "completed", value: true });
  });

  it("records the timeout and its fire time in the request", async () => {
    const h = createHarness();
    void h.execution.run(async (ctx) => ctx.signal("s", { timeoutMs: 60_000 }));
    await flush();
    expect(h.proposals()[0]?.request).toEqual({ timeoutMs: 60_000, fireAtMs: NOW + 60_000 });
  });

  it("returns the default when the coordinator reports a timeout", async () => {
    const h = createHarness();
    h.autoAck(() => ok({ timedOut: true }));
    const outcome = await h.execution.run(async (ctx) =>
      ctx.signal("s", { timeoutMs: 10, default: { approved: false } }),
    );
    expect(outcome).toEqual({ type: "completed", value: { approved: false } });
  });

  it("returns an explicit undefined default", async () => {
    const h = createHarness();
    h.autoAck(() => ok({ timedOut: true }));
    const outcome = await h.execution.run(async (ctx) => [
      await ctx.signal("s", { timeoutMs: 10, default: undefined }),
    ]);
    expect(outcome).toEqual({ type: "completed", value: [undefined] });
  });

  it("throws SignalTimeoutError on a timeout without a default", async () => {
    const h = createHarness();
    h.autoAck(() => ok({ timedOut: true }));
    const outcome = await h.execution.run(async (ctx) => {
      try {
        await ctx.signal("approval_signal", { timeoutMs: 60_000 });
      } catch (error) {
        expect(SignalTimeoutError.isInstance(error)).toBe(true);
        throw error;
      }
    });
    expect(outcome).toMatchObject({
      type: "failed",
      failure: {
        code: "SIGNAL_TIMEOUT",
        message: 'Signal "approval_signal" was not received within 60000 ms',
        retryable: false,
      },
    });
  });

  it("replays a received signal at once", async () => {
    const h = createHarness({
      journal: [{ index: 0, kind: "signal_wait", name: "go", request: {}, result: ok({ payload: "now" }) }],
    });
    expect(await h.execution.run(async (ctx) => ctx.signal("go"))).toEqual({ type: "completed", value: "now" });
    expect(h.frames).toEqual([]);
  });

  it("rejects an empty name or an invalid timeout without reserving an index", async () => {
    const h = createHarness();
    await h.execution.run(async (ctx) => {
      await expect(ctx.signal("")).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
      await expect(ctx.signal("s", { timeoutMs: -1 })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
      await expect(ctx.signal.emit("")).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    });
    expect(h.frames).toEqual([]);
  });
});

describe("ctx.signal.emit", () => {
  it("proposes a signal_emit with its null result, to this run by default, and waits for the ack", async () => {
    const h = createHarness();
    const seen: string[] = [];
    const outcome = h.execution.run(async (ctx) => {
      await ctx.signal.emit("progress", { pct: 50 });
      seen.push("emitted");
      await ctx.signal.emit("done", undefined, { runId: "run-other" });
    });
    await flush();
    expect(h.proposals()).toEqual([
      {
        index: 0,
        kind: "signal_emit",
        name: "progress",
        request: { runId: "run-1", payload: { pct: 50 } },
        result: ok(null),
      },
    ]);
    expect(seen).toEqual([]);
    h.ack(0);
    await flush();
    expect(seen).toEqual(["emitted"]);
    expect(h.proposals()[1]).toEqual({
      index: 1,
      kind: "signal_emit",
      name: "done",
      request: { runId: "run-other", payload: null },
      result: ok(null),
    });
    h.ack(1, ok(null));
    await expect(outcome).resolves.toEqual({ type: "completed", value: undefined });
  });

  it("is not sent again on replay", async () => {
    const h = createHarness({
      journal: [{ index: 0, kind: "signal_emit", name: "progress", request: {}, result: ok(null) }],
    });
    await h.execution.run(async (ctx) => ctx.signal.emit("progress", 1));
    expect(h.frames).toEqual([]);
  });

  it("rejects a payload that is not JSON", async () => {
    const h = createHarness();
    await h.execution.run(async (ctx) => {
      await expect(ctx.signal.emit("x", 1n)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    });
    expect(h.frames).toEqual([]);
  });
});
