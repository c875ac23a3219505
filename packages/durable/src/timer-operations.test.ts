import { describe, expect, it } from "vitest";
import { createHarness, failure, flush, NOW, ok } from "./test-support/harness.js";
import { nextCronMatch } from "./timer-operations.js";

describe("ctx.sleep", () => {
  it("proposes a timer entry with its fire time, waits through the pending ack, and resumes on the result", async () => {
    const h = createHarness();
    const seen: string[] = [];
    const outcome = h.execution.run(async (ctx) => {
      await ctx.sleep(30);
      seen.push("woke");
      return "done";
    });
    await flush();
    expect(h.proposals()).toEqual([{ index: 0, kind: "timer", name: "sleep", request: { fireAtMs: NOW + 30_000 } }]);
    h.ack(0);
    await flush();
    expect(seen).toEqual([]);
    h.ack(0, ok(null));
    await expect(outcome).resolves.toEqual({ type: "completed", value: "done" });
    expect(seen).toEqual(["woke"]);
  });

  it("completes at once when the first ack already carries the result", async () => {
    const h = createHarness();
    const outcome = h.execution.run(async (ctx) => ctx.sleep(0));
    await flush();
    h.ack(0, ok(null));
    await expect(outcome).resolves.toEqual({ type: "completed", value: undefined });
  });

  it("returns at once on replay of a fired timer, without proposing", async () => {
    const h = createHarness({
      journal: [{ index: 0, kind: "timer", name: "sleep", request: { fireAtMs: 1 }, result: ok(null) }],
    });
    const outcome = await h.execution.run(async (ctx) => {
      await ctx.sleep(3600);
      return "past";
    });
    expect(outcome).toEqual({ type: "completed", value: "past" });
    expect(h.frames).toEqual([]);
  });

  it("waits for the result of a recorded timer that has not fired, without proposing it again", async () => {
    const h = createHarness({ journal: [{ index: 0, kind: "timer", name: "sleep", request: { fireAtMs: 1 } }] });
    const outcome = h.execution.run(async (ctx) => {
      await ctx.sleep(3600);
      return "woke";
    });
    await flush();
    expect(h.frames).toEqual([]);
    h.ack(0, ok(null));
    await expect(outcome).resolves.toEqual({ type: "completed", value: "woke" });
  });

  it("rejects an invalid duration without reserving an index", async () => {
    const h = createHarness();
    h.autoAck((entry) => (entry.kind === "timer" ? ok(null) : undefined));
    const outcome = await h.execution.run(async (ctx) => {
      await expect(ctx.sleep(-1)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
      await expect(ctx.sleep(Number.POSITIVE_INFINITY)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
      await ctx.sleep(1);
    });
    expect(outcome.type).toBe("completed");
    expect(h.proposals().map((entry) => entry.index)).toEqual([0]);
  });

  it("throws a recorded timer failure into the handler", async () => {
    const h = createHarness({
      journal: [{ index: 0, kind: "timer", name: "sleep", request: {}, result: failure("TIMER_LOST", "gone") }],
    });
    const outcome = await h.execution.run(async (ctx) => ctx.sleep(1));
    expect(outcome).toMatchObject({ type: "failed", failure: { code: "TIMER_LOST", message: "gone" } });
  });
});

describe("ctx.timer", () => {
  it("proposes a timer named timer for a delay", async () => {
    const h = createHarness();
    h.autoAck((entry) => (entry.kind === "timer" ? ok(null) : undefined));
    await h.execution.run(async (ctx) => ctx.timer({ delayMs: 5000 }));
    expect(h.proposals()).toEqual([{ index: 0, kind: "timer", name: "timer", request: { fireAtMs: NOW + 5000 } }]);
  });

  it("proposes a cron timer at the next match, computed on the first run", async () => {
    const h = createHarness();
    h.autoAck((entry) => (entry.kind === "timer" ? ok(null) : undefined));
    await h.execution.run(async (ctx) => {
      await ctx.timer({ cron: "0 2 * * *" });
      await ctx.timer({ cron: "0 2 * * *", timezone: "America/New_York" });
    });
    // NOW is 2026-01-15T12:00Z: the next 02:00 UTC is on the 16th; 02:00 in New York (EST) is 07:00 UTC.
    expect(h.proposals()).toEqual([
      { index: 0, kind: "timer", name: "cron", request: { fireAtMs: Date.UTC(2026, 0, 16, 2), cron: "0 2 * * *" } },
      {
        index: 1,
        kind: "timer",
        name: "cron",
        request: { fireAtMs: Date.UTC(2026, 0, 16, 7), cron: "0 2 * * *", timezone: "America/New_York" },
      },
    ]);
  });

  it("keeps the recorded fire time on replay (the clock has moved on)", async () => {
    const h = createHarness({
      now: () => NOW + 86_400_000,
      journal: [{ index: 0, kind: "timer", name: "cron", request: { fireAtMs: 1, cron: "0 2 * * *" } }],
    });
    const outcome = h.execution.run(async (ctx) => ctx.timer({ cron: "0 2 * * *" }));
    await flush();
    expect(h.frames).toEqual([]);
    h.ack(0, ok(null));
    await expect(outcome).resolves.toEqual({ type: "completed", value: undefined });
  });

  it("rejects an invalid cron expression or delay without reserving an index", async () => {
    const h = createHarness();
    const outcome = await h.execution.run(async (ctx) => {
      await expect(ctx.timer({ cron: "not a cron" })).rejects.toMatchObject({
        code: "INVALID_ARGUMENT",
        message: expect.stringContaining('Invalid cron expression "not a cron"'),
      });
      await expect(ctx.timer({ delayMs: -5 })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
      await expect(ctx.timer({} as never)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
      return "ok";
    });
    expect(outcome).toEqual({ type: "completed", value: "ok" });
    expect(h.frames).toEqual([]);
  });
});

describe("nextCronMatch", () => {
  it("returns the next match strictly after the given time", () => {
    expect(nextCronMatch("*/15 * * * *", undefined, Date.UTC(2026, 0, 1, 10, 15))).toBe(Date.UTC(2026, 0, 1, 10, 30));
  });

  it("explains a missing expression or one without a future match", () => {
    expect(nextCronMatch("", undefined, 0)).toBeInstanceOf(Error);
    expect(String(nextCronMatch("0 0 30 2 *", undefined, 0))).toMatch(/Invalid cron|no future match/);
  });
});
