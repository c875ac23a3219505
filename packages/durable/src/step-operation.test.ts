import { RetryableError, StepFailedError, TerminalError } from "@agnt5/core";
import { describe, expect, it } from "vitest";
import { createHarness, flush, ok } from "./test-support/harness.js";

describe("ctx.step on the first run", () => {
  it("runs the function, proposes a step entry with its result, and waits for the ack", async () => {
    const h = createHarness();
    const seen: string[] = [];
    let calls = 0;
    const outcome = h.execution.run(async (ctx) => {
      const charge = await ctx.step("charge", async () => {
        calls++;
        return { id: "ch_1", amount: 42 };
      });
      seen.push(`after charge ${charge.id}`);
      return charge;
    });
    await flush();
    expect(calls).toBe(1);
    expect(h.proposals()).toEqual([
      {
        index: 0,
        kind: "step",
        name: "charge",
        request: null,
        result: { ok: true, value: { id: "ch_1", amount: 42 } },
      },
    ]);
    await flush();
    expect(seen).toEqual([]);
    h.ack(0, ok({ id: "ch_1", amount: 42 }));
    await expect(outcome).resolves.toEqual({ type: "completed", value: { id: "ch_1", amount: 42 } });
    expect(seen).toEqual(["after charge ch_1"]);
  });

  it("gives the handler the acknowledged value, or the proposed one when the ack carries none", async () => {
    const h = createHarness();
    const outcome = h.execution.run(async (ctx) => [await ctx.step("a", () => 1), await ctx.step("b", () => 2)]);
    await flush();
    h.ack(0, ok(1));
    await flush();
    h.ack(1);
    await expect(outcome).resolves.toEqual({ type: "completed", value: [1, 2] });
  });

  it("journals the JSON form of the value, and the handler sees that form on the first run too", async () => {
    const h = createHarness();
    h.autoAck();
    const outcome = h.execution.run(async (ctx) => ({
      date: await ctx.step("date", () => new Date(Date.UTC(2026, 0, 1))),
      nothing: await ctx.step("nothing", () => undefined),
    }));
    await expect(outcome).resolves.toEqual({
      type: "completed",
      value: { date: "2026-01-01T00:00:00.000Z", nothing: null },
    });
    expect(h.proposals().map((entry) => entry.result)).toEqual([ok("2026-01-01T00:00:00.000Z"), ok(null)]);
  });

  it("exposes the running step's name as ctx.stepId, only inside its function", async () => {
    const h = createHarness();
    h.autoAck();
    const ids: (string | undefined)[] = [];
    await h.execution.run(async (ctx) => {
      ids.push(ctx.stepId);
      await ctx.parallel(
        () =>
          ctx.step("a", async () => {
            await flush();
            ids.push(ctx.stepId);
          }),
        () => ctx.step("b", () => ids.push(ctx.stepId)),
      );
      ids.push(ctx.stepId);
    });
    expect(ids).toEqual([undefined, "b", "a", undefined]);
  });

  it("refuses durable operations nested in a step's function", async () => {
    const h = createHarness();
    h.autoAck();
    const outcome = await h.execution.run(async (ctx) =>
      ctx.step("outer", async () => {
        await ctx.sleep(1);
      }),
    );
    expect(outcome).toMatchObject({ type: "failed", failure: { code: "INVALID_OPERATION", retryable: false } });
    expect((outcome as { failure: { message: string } }).failure.message).toContain(
      'ctx.sleep() was called inside the function of step "outer"',
    );
    expect(h.proposals()).toEqual([
      expect.objectContaining({
        index: 0,
        kind: "step",
        name: "outer",
        result: expect.objectContaining({ ok: false }),
      }),
    ]);
  });

  it("rejects a step without a name or function without reserving an index", async () => {
    const h = createHarness();
    h.autoAck();
    const outcome = await h.execution.run(async (ctx) => {
      await expect(ctx.step("", () => 1)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
      await expect(ctx.step("x", 42 as never)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
      await expect(ctx.step("x", () => 1, { retry: { maxAttempts: 0 } })).rejects.toMatchObject({
        code: "INVALID_DEFINITION",
      });
      return ctx.step("real", () => 1);
    });
    expect(outcome).toEqual({ type: "completed", value: 1 });
    expect(h.proposals().map((entry) => entry.index)).toEqual([0]);
  });
});

describe("ctx.step on replay", () => {
  it("returns the recorded value without running the function and proposes nothing", async () => {
    const h = createHarness({
      journal: [
        { index: 0, kind: "step", name: "charge", request: null, result: ok({ id: "ch_1" }) },
        { index: 1, kind: "step", name: "email", request: null, result: ok("sent") },
      ],
    });
    let calls = 0;
    const outcome = await h.execution.run(async (ctx) => {
      const charge = await ctx.step("charge", () => ++calls);
      const email = await ctx.step("email", () => ++calls);
      return { charge, email };
    });
    expect(outcome).toEqual({ type: "completed", value: { charge: { id: "ch_1" }, email: "sent" } });
    expect(calls).toBe(0);
    expect(h.frames).toEqual([]);
  });

  it("runs and proposes the first step past the recorded journal", async () => {
    const h = createHarness({ journal: [{ index: 0, kind: "step", name: "a", request: null, result: ok(1) }] });
    h.autoAck();
    let calls = 0;
    const outcome = await h.execution.run(async (ctx) => {
      const a = await ctx.step("a", () => {
        calls++;
        return 100;
      });
      const b = await ctx.step("b", () => {
        calls++;
        return a + 1;
      });
      return b;
    });
    expect(outcome).toEqual({ type: "completed", value: 2 });
    expect(calls).toBe(1);
    expect(h.proposals()).toEqual([{ index: 1, kind: "step", name: "b", request: null, result: ok(2) }]);
  });

  it("throws a recorded failure again with the same code, message and type", async () => {
    const h = createHarness({
      journal: [
        {
          index: 0,
          kind: "step",
          name: "charge",
          request: null,
          result: { ok: false, failure: { code: "CARD_DECLINED", message: "declined", type: "TerminalError" } },
        },
      ],
    });
    let calls = 0;
    const outcome = await h.execution.run(async (ctx) => {
      try {
        await ctx.step("charge", () => calls++);
        return "charged";
      } catch (error) {
        expect(StepFailedError.isInstance(error)).toBe(true);
        expect(error).toMatchObject({ code: "CARD_DECLINED", message: "declined", failureType: "TerminalError" });
        return "declined";
      }
    });
    expect(outcome).toEqual({ type: "completed", value: "declined" });
    expect(calls).toBe(0);
  });
});

describe("ctx.step retries", () => {
  it("retries a retryable failure in process, then journals the exhausted failure and throws it into the handler", async () => {
    const h = createHarness();
    h.autoAck();
    let calls = 0;
    const outcome = h.execution.run(async (ctx) => {
      try {
        await ctx.step("flaky", () => {
          calls++;
          throw new TypeError(`boom ${calls}`);
        });
      } catch (error) {
        return { caught: (error as Error).message, code: (error as StepFailedError).code };
      }
    });
    await flush();
    expect(calls).toBe(1);
    expect(h.timers.pending).toEqual([10]);
    await h.timers.advance(10);
    expect(calls).toBe(2);
    expect(h.timers.pending).toEqual([20]);
    await h.timers.advance(20);
    expect(calls).toBe(3);
    await expect(outcome).resolves.toEqual({
      type: "completed",
      value: { caught: "boom 3", code: "HANDLER_ERROR" },
    });
    expect(h.proposals()).toEqual([
      {
        index: 0,
        kind: "step",
        name: "flaky",
        request: null,
        result: { ok: false, failure: { code: "HANDLER_ERROR", message: "boom 3", type: "TypeError" } },
      },
    ]);
  });

  it("keeps the original error as the cause on the first run", async () => {
    const h = createHarness();
    h.autoAck();
    const thrown = new TerminalError("nope", { code: "NOPE" });
    const outcome = await h.execution.run(async (ctx) => {
      try {
        await ctx.step("s", () => {
          throw thrown;
        });
      } catch (error) {
        return (error as Error).cause === thrown;
      }
    });
    expect(outcome).toEqual({ type: "completed", value: true });
  });

  it("journals a TerminalError at once, without retrying", async () => {
    const h = createHarness();
    h.autoAck();
    let calls = 0;
    const outcome = await h.execution.run(async (ctx) =>
      ctx.step("charge", () => {
        calls++;
        throw new TerminalError("card declined", { code: "CARD_DECLINED", details: { last4: "4242" } });
      }),
    );
    expect(calls).toBe(1);
    expect(h.proposals()[0]?.result).toEqual({
      ok: false,
      failure: { code: "CARD_DECLINED", message: "card declined", type: "TerminalError", details: { last4: "4242" } },
    });
    expect(outcome).toMatchObject({
      type: "failed",
      failure: { code: "CARD_DECLINED", message: "card declined", type: "StepFailedError", retryable: false },
    });
  });

  it("follows the step's own retry policy over the component's", async () => {
    const h = createHarness();
    h.autoAck();
    let calls = 0;
    await h.execution.run(async (ctx) =>
      ctx
        .step(
          "once",
          () => {
            calls++;
            throw new Error("x");
          },
          { retry: { maxAttempts: 1 } },
        )
        .catch(() => "handled"),
    );
    expect(calls).toBe(1);
  });

  it("fails the invocation with STEP_RETRY when the backoff exceeds 1 s", async () => {
    const h = createHarness({
      defaultStepRetry: { maxAttempts: 3, initialIntervalMs: 5000, maxIntervalMs: 60_000, backoffMultiplier: 2 },
    });
    h.autoAck();
    let continued = false;
    const outcome = await h.execution.run(async (ctx) => {
      await ctx.step("a", () => "ok");
      await ctx.step("slow", () => {
        throw new Error("service unavailable");
      });
      continued = true;
    });
    expect(outcome).toMatchObject({
      type: "failed",
      failure: {
        code: "STEP_RETRY",
        type: "Error",
        retryable: true,
        retryAfterMs: 5000,
        details: {
          step: "slow",
          index: 1,
          attempt: 1,
          error: { code: "HANDLER_ERROR", message: "service unavailable" },
        },
      },
    });
    expect((outcome as { failure: { message: string } }).failure.message).toBe(
      'Step "slow" failed on attempt 1 and is retried after 5000 ms: service unavailable',
    );
    expect(h.proposals().map((entry) => entry.name)).toEqual(["a"]);
    await flush();
    expect(continued).toBe(false);
  });

  it("uses a RetryableError's retryAfterMs, in process or not", async () => {
    const h = createHarness();
    h.autoAck();
    const outcome = await h.execution.run(async (ctx) =>
      ctx.step("limited", () => {
        throw new RetryableError("rate limited", { retryAfterMs: 30_000 });
      }),
    );
    expect(outcome).toMatchObject({ type: "failed", failure: { code: "STEP_RETRY", retryAfterMs: 30_000 } });
  });

  it("journals the failure once the invocation's attempt reaches the step's maxAttempts", async () => {
    const h = createHarness({
      attempt: 3,
      defaultStepRetry: { maxAttempts: 3, initialIntervalMs: 5000, maxIntervalMs: 60_000, backoffMultiplier: 2 },
    });
    h.autoAck();
    const outcome = await h.execution.run(async (ctx) =>
      ctx.step("slow", () => {
        throw new Error("still down");
      }),
    );
    expect(h.proposals()[0]?.result).toMatchObject({ ok: false, failure: { message: "still down" } });
    expect(outcome).toMatchObject({ type: "failed", failure: { code: "HANDLER_ERROR", retryable: false } });
  });

  it("journals a result that is not JSON as an INVALID_OUTPUT failure", async () => {
    const h = createHarness();
    h.autoAck();
    const outcome = await h.execution.run(async (ctx) => ctx.step("big", () => 10n));
    expect(h.proposals()[0]?.result).toMatchObject({ ok: false, failure: { code: "INVALID_OUTPUT" } });
    expect(outcome).toMatchObject({ type: "failed", failure: { code: "INVALID_OUTPUT" } });
  });
});
