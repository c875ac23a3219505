import { describe, expect, it } from "vitest";
import { createHarness, flush, ok } from "./test-support/harness.js";

const journal = [
  { index: 0, kind: "step" as const, name: "reserve", request: null, result: ok("r-1") },
  { index: 1, kind: "step" as const, name: "charge", request: null, result: ok("c-1") },
];

describe("a journal that does not match the code", () => {
  it("fails the run terminally when a step has a different name, naming the index and both operations", async () => {
    const h = createHarness({ journal });
    let after = false;
    let calls = 0;
    const outcome = await h.execution.run(async (ctx) => {
      await ctx.step("reserve", () => calls++);
      await ctx.step("refund", () => calls++);
      after = true;
    });
    expect(outcome).toMatchObject({
      type: "failed",
      failure: {
        code: "NON_DETERMINISM",
        type: "NonDeterminismError",
        retryable: false,
        details: { index: 1, expected: { kind: "step", name: "charge" }, actual: { kind: "step", name: "refund" } },
      },
    });
    const { message } = (outcome as { failure: { message: string } }).failure;
    expect(message).toMatch(
      /^Non-determinism at journal index 1: the journal holds step "charge" but the code asked for step "refund"/,
    );
    await flush();
    expect(after).toBe(false);
    expect(calls).toBe(0);
    expect(h.frames).toEqual([]);
  });

  it("fails the run when the code asks for a different kind at a recorded index", async () => {
    const h = createHarness({ journal });
    const outcome = await h.execution.run(async (ctx) => {
      await ctx.step("reserve", () => 0);
      await ctx.sleep(5);
    });
    expect(outcome).toMatchObject({ type: "failed", failure: { code: "NON_DETERMINISM" } });
    expect((outcome as { failure: { message: string } }).failure.message).toContain(
      'at journal index 1: the journal holds step "charge" but the code asked for timer "sleep"',
    );
  });

  it("cannot be swallowed by the handler: the operation never settles and the run is over", async () => {
    const h = createHarness({ journal });
    h.autoAck();
    const outcome = await h.execution.run(async (ctx) => {
      try {
        await Promise.race([ctx.task("svc", "other"), new Promise((resolve) => setTimeout(resolve, 20, "timeout"))]);
      } catch {
        // never reached
      }
      await ctx.step("later", () => 1);
      return "finished";
    });
    expect(outcome).toMatchObject({ type: "failed", failure: { code: "NON_DETERMINISM" } });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(h.frames).toEqual([]);
  });

  it("accepts a journal the code matches, including entries of every kind", async () => {
    const h = createHarness({
      journal: [
        { index: 0, kind: "step", name: "a", request: null, result: ok(1) },
        { index: 1, kind: "deterministic", name: "uuid", request: null, result: ok("u") },
        { index: 2, kind: "timer", name: "sleep", request: {}, result: ok(null) },
        { index: 3, kind: "signal_wait", name: "go", request: {}, result: ok({ payload: 2 }) },
        { index: 4, kind: "signal_emit", name: "went", request: {}, result: ok(null) },
        { index: 5, kind: "call", name: "svc/h", request: {}, result: ok(3) },
        { index: 6, kind: "timer", name: "cron", request: {}, result: ok(null) },
      ],
    });
    const outcome = await h.execution.run(async (ctx) => {
      const a = await ctx.step("a", () => 0);
      const id = await ctx.uuid();
      await ctx.sleep(1);
      const go = await ctx.signal<number>("go");
      await ctx.signal.emit("went");
      const call = await ctx.task<number>("svc", "h");
      await ctx.timer({ cron: "* * * * *" });
      return [a, id, go, call];
    });
    expect(outcome).toEqual({ type: "completed", value: [1, "u", 2, 3] });
    expect(h.frames).toEqual([]);
  });
});
