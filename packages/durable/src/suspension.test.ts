import { describe, expect, it, vi } from "vitest";
import { createHarness, flush, ok } from "./test-support/harness.js";

describe("suspension", () => {
  it("suspends after suspendAfterMs blocked only on awaiting entries, with the indexes it waits on", async () => {
    const h = createHarness({ suspendAfterMs: 1000 });
    const outcome = h.execution.run(async (ctx) => {
      await ctx.step("before", () => "x");
      await ctx.sleep(3600);
      return "after";
    });
    await flush();
    h.ack(0);
    await flush();
    h.ack(1);
    await h.timers.advance(999);
    expect(h.frames.filter((frame) => frame.type === "suspend")).toEqual([]);
    await h.timers.advance(1);
    expect(h.frames.at(-1)).toEqual({ type: "suspend", waitingOn: [1] });
    await expect(outcome).resolves.toEqual({ type: "suspended", waitingOn: [1] });
  });

  it("suspends as soon as it is blocked with suspendAfterMs 0", async () => {
    const h = createHarness({ suspendAfterMs: 0 });
    const outcome = h.execution.run(async (ctx) => ctx.signal("approval"));
    await flush();
    h.ack(0);
    await h.timers.advance(0);
    await expect(outcome).resolves.toEqual({ type: "suspended", waitingOn: [0] });
  });

  it("works with real timers", async () => {
    const h = createHarness({ suspendAfterMs: 0, timers: undefined });
    h.autoAck();
    await expect(h.execution.run(async (ctx) => ctx.sleep(60))).resolves.toEqual({
      type: "suspended",
      waitingOn: [0],
    });
  });

  it("continues past the awaited entry when re-run with its result in the journal", async () => {
    const body = async (ctx: Parameters<Parameters<ReturnType<typeof createHarness>["execution"]["run"]>[0]>[0]) => {
      const reserved = await ctx.step("reserve", () => "r-1");
      await ctx.sleep(3600);
      const shipped = await ctx.step("ship", () => "s-1");
      return [reserved, shipped];
    };
    const first = createHarness({ suspendAfterMs: 0, timers: undefined });
    first.autoAck();
    await expect(first.execution.run(body)).resolves.toEqual({ type: "suspended", waitingOn: [1] });

    // The coordinator fires the timer and re-dispatches with the completed journal.
    const journal = first.proposals().map((entry) => (entry.index === 1 ? { ...entry, result: ok(null) } : entry));
    const second = createHarness({ suspendAfterMs: 0, timers: undefined, journal });
    second.autoAck();
    let reserveCalls = 0;
    const outcome = await second.execution.run(async (ctx) => {
      reserveCalls++;
      return body(ctx);
    });
    expect(outcome).toEqual({ type: "completed", value: ["r-1", "s-1"] });
    expect(second.proposals().map((entry) => [entry.index, entry.name])).toEqual([[2, "ship"]]);
    expect(reserveCalls).toBe(1);
  });

  it("suspends on a recorded-pending entry of the journal", async () => {
    const h = createHarness({
      suspendAfterMs: 0,
      timers: undefined,
      journal: [{ index: 0, kind: "call", name: "svc/slow", request: {} }],
    });
    await expect(h.execution.run(async (ctx) => ctx.task("svc", "slow"))).resolves.toEqual({
      type: "suspended",
      waitingOn: [0],
    });
    expect(h.frames).toEqual([{ type: "suspend", waitingOn: [0] }]);
  });

  it("does not suspend while a proposal's ack is outstanding", async () => {
    const h = createHarness({ suspendAfterMs: 0 });
    const outcome = h.execution.run(async (ctx) => ctx.sleep(10));
    await h.timers.advance(5000);
    expect(h.frames.map((frame) => frame.type)).toEqual(["propose"]);
    h.ack(0);
    await h.timers.advance(0);
    await expect(outcome).resolves.toEqual({ type: "suspended", waitingOn: [0] });
  });

  it("does not suspend while a step is running, even one the handler does not await", async () => {
    const h = createHarness({ suspendAfterMs: 0 });
    h.autoAck();
    let finishStep!: () => void;
    const outcome = h.execution.run(async (ctx) => {
      void ctx.step("background", () => new Promise<void>((resolve) => (finishStep = resolve)));
      await ctx.sleep(10);
    });
    await h.timers.advance(5000);
    expect(h.frames.some((frame) => frame.type === "suspend")).toBe(false);
    finishStep();
    await h.timers.advance(0);
    await expect(outcome).resolves.toEqual({ type: "suspended", waitingOn: [1] });
  });

  it("waits on every awaited pending entry, but not on a spawned child nobody awaits", async () => {
    const h = createHarness({ suspendAfterMs: 0, timers: undefined });
    h.autoAck();
    const outcome = h.execution.run(async (ctx) => {
      ctx.spawn({ service: "svc", handler: "background" }, null);
      await Promise.race([ctx.signal("approve"), ctx.sleep(3600)]);
    });
    await expect(outcome).resolves.toEqual({ type: "suspended", waitingOn: [1, 2] });
  });

  it("does not suspend while the handler awaits something other than a durable operation", async () => {
    const h = createHarness({ suspendAfterMs: 0 });
    h.autoAck();
    let release!: () => void;
    const outcome = h.execution.run(async (ctx) => {
      const child = ctx.spawn({ service: "svc", handler: "slow" }, null);
      await new Promise<void>((resolve) => (release = resolve));
      return child.result();
    });
    await h.timers.advance(5000);
    expect(h.frames.some((frame) => frame.type === "suspend")).toBe(false);
    release();
    await h.timers.advance(0);
    await expect(outcome).resolves.toEqual({ type: "suspended", waitingOn: [0] });
  });

  it("restarts the countdown when the handler is unblocked and blocked again", async () => {
    const h = createHarness({ suspendAfterMs: 1000 });
    h.autoAck();
    const outcome = h.execution.run(async (ctx) => {
      await ctx.signal("first");
      await ctx.signal("second");
    });
    await h.timers.advance(900);
    h.ack(0, ok({ payload: 1 }));
    await h.timers.advance(900);
    expect(h.frames.some((frame) => frame.type === "suspend")).toBe(false);
    await h.timers.advance(100);
    await expect(outcome).resolves.toEqual({ type: "suspended", waitingOn: [1] });
  });

  it("ignores everything after suspending, and leaks no unhandled rejection", async () => {
    const unhandled = vi.fn();
    process.on("unhandledRejection", unhandled);
    try {
      const h = createHarness({ suspendAfterMs: 0, timers: undefined });
      h.autoAck();
      let resumed = false;
      const outcome = await h.execution.run(async (ctx) => {
        ctx.spawn({ service: "svc", handler: "child" }, null);
        await ctx.sleep(60);
        resumed = true;
        await ctx.step("after", () => 1);
      });
      expect(outcome).toEqual({ type: "suspended", waitingOn: [1] });
      const framesAtSuspension = h.frames.length;
      h.ack(1, ok(null));
      h.ack(0, { ok: false, failure: { code: "X", message: "child failed" } });
      h.execution.cancel("too late");
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(resumed).toBe(false);
      expect(h.frames.length).toBe(framesAtSuspension);
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off("unhandledRejection", unhandled);
    }
  });
});
