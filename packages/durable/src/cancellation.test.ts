import { CancelledError, TerminalError } from "@agnt5/core";
import { describe, expect, it } from "vitest";
import { createHarness, flush, ok } from "./test-support/harness.js";

describe("cancel()", () => {
  it("rejects the awaited operation with CancelledError; the run ends cancelled with the handler's return value", async () => {
    const h = createHarness();
    h.autoAck();
    const outcome = h.execution.run(async (ctx) => {
      try {
        await ctx.sleep(3600);
        return "slept";
      } catch (error) {
        expect(CancelledError.isInstance(error)).toBe(true);
        expect(error).toMatchObject({ code: "CANCELLED", reason: "user asked" });
        return "cleaned up";
      }
    });
    await flush();
    h.execution.cancel("user asked");
    await expect(outcome).resolves.toEqual({ type: "cancelled", value: "cleaned up" });
  });

  it("rejects every later durable operation without proposing it, but still runs and journals steps", async () => {
    const h = createHarness();
    h.autoAck();
    const errors: string[] = [];
    const outcome = h.execution.run(async (ctx) => {
      try {
        await ctx.signal("approval");
      } catch {
        for (const operation of [
          () => ctx.sleep(1),
          () => ctx.now(),
          () => ctx.signal.emit("cancelled"),
          () => ctx.task("svc", "notify"),
          () => ctx.spawn({ service: "svc", handler: "x" }).result(),
          () => ctx.human.approval("again"),
        ]) {
          await operation().catch((error: unknown) => errors.push((error as CancelledError).code));
        }
        return ctx.step("release", () => "released");
      }
    });
    await flush();
    h.execution.cancel("stop");
    await expect(outcome).resolves.toEqual({ type: "cancelled", value: "released" });
    expect(errors).toEqual(["CANCELLED", "CANCELLED", "CANCELLED", "CANCELLED", "CANCELLED", "CANCELLED"]);
    expect(h.proposals().map((entry) => [entry.index, entry.kind, entry.name])).toEqual([
      [0, "signal_wait", "approval"],
      [1, "step", "release"],
    ]);
  });

  it("lets a running step finish: its result is journaled and returned, the next operation is cancelled", async () => {
    const h = createHarness();
    h.autoAck();
    let finish!: (value: string) => void;
    const outcome = h.execution.run(async (ctx) => {
      const charged = await ctx.step("charge", () => new Promise<string>((resolve) => (finish = resolve)));
      try {
        await ctx.sleep(1);
      } catch (error) {
        return { charged, next: (error as CancelledError).code };
      }
    });
    await flush();
    h.execution.cancel("stop");
    finish("ch_1");
    await expect(outcome).resolves.toEqual({ type: "cancelled", value: { charged: "ch_1", next: "CANCELLED" } });
    expect(h.proposals()).toEqual([{ index: 0, kind: "step", name: "charge", request: null, result: ok("ch_1") }]);
  });

  it("ends cancelled when the handler rethrows the CancelledError", async () => {
    const h = createHarness();
    h.autoAck();
    const outcome = h.execution.run(async (ctx) => {
      await ctx.signal("never");
    });
    await flush();
    h.execution.cancel("stop");
    await expect(outcome).resolves.toEqual({ type: "cancelled", value: undefined });
  });

  it("ends cancelled when the handler finishes without meeting the cancellation", async () => {
    const h = createHarness();
    h.autoAck();
    let finish!: () => void;
    const outcome = h.execution.run(async (ctx) => {
      await ctx.step("only", () => new Promise<void>((resolve) => (finish = resolve)));
      return "done anyway";
    });
    await flush();
    h.execution.cancel("stop");
    finish();
    await expect(outcome).resolves.toEqual({ type: "cancelled", value: "done anyway" });
  });

  it("reports another error thrown after the cancellation as a failure", async () => {
    const h = createHarness();
    h.autoAck();
    const outcome = h.execution.run(async (ctx) => {
      await ctx.signal("never").catch(() => {});
      throw new TerminalError("cleanup broke");
    });
    await flush();
    h.execution.cancel("stop");
    await expect(outcome).resolves.toMatchObject({ type: "failed", failure: { message: "cleanup broke" } });
  });

  it("ignores an ack for a cancelled entry, a second cancel, and a cancel after the run ended", async () => {
    const h = createHarness();
    h.autoAck();
    const outcome = h.execution.run(async (ctx) => {
      const result = await ctx.task("svc", "child").catch((error: CancelledError) => error.reason);
      return result;
    });
    await flush();
    h.execution.cancel("first");
    h.execution.cancel("second");
    h.ack(0, ok("late result"));
    await expect(outcome).resolves.toEqual({ type: "cancelled", value: "first" });
    h.execution.cancel("after the end");
  });
});

describe("cancelRequested on a re-dispatch", () => {
  it("replays recorded results, then cancels the first operation that would have to wait", async () => {
    const h = createHarness({
      cancelRequested: true,
      journal: [
        { index: 0, kind: "step", name: "reserve", request: null, result: ok("r-1") },
        { index: 1, kind: "timer", name: "sleep", request: {} },
      ],
    });
    h.autoAck();
    let reserveCalls = 0;
    const outcome = await h.execution.run(async (ctx) => {
      const reserved = await ctx.step("reserve", () => reserveCalls++);
      try {
        await ctx.sleep(3600);
      } catch (error) {
        const released = await ctx.step("release", () => `released ${reserved}`);
        return { released, code: (error as CancelledError).code };
      }
    });
    expect(outcome).toEqual({ type: "cancelled", value: { released: "released r-1", code: "CANCELLED" } });
    expect(reserveCalls).toBe(0);
    expect(h.proposals().map((entry) => [entry.index, entry.name])).toEqual([[2, "release"]]);
  });

  it("does not reserve an index for an operation that is not in the journal", async () => {
    const h = createHarness({ cancelRequested: true });
    h.autoAck();
    const outcome = await h.execution.run(async (ctx) => {
      await ctx.now().catch(() => {});
      return ctx.step("cleanup", () => "ok");
    });
    expect(outcome).toEqual({ type: "cancelled", value: "ok" });
    expect(h.proposals().map((entry) => [entry.index, entry.name])).toEqual([[0, "cleanup"]]);
  });
});
