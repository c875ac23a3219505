import { afterEach, describe, expect, it, vi } from "vitest";
import { createExecutionContext } from "./context.js";
import { type CallableDefinition, isDurableContext } from "./durable-context.js";
import { TerminalError } from "./errors.js";
import { fn } from "./function.js";
import { createLocalDurableContext, toDurableContext } from "./local-durable-context.js";
import { silentLogger } from "./logger.js";
import { workflow } from "./workflow.js";

const registry = false as const;

afterEach(() => {
  vi.useRealTimers();
});

describe("createLocalDurableContext", () => {
  it("carries the facts of the context it is built from, with the AbortSignal as abortSignal", () => {
    const controller = new AbortController();
    const ctx = createLocalDurableContext({
      invocationId: "inv-1",
      runId: "run-1",
      attempt: 2,
      componentType: "workflow",
      componentName: "flow",
      metadata: { service_name: "svc" },
      headers: { "x-id": "1" },
      logger: silentLogger,
      signal: controller.signal,
    });
    expect(ctx).toMatchObject({
      invocationId: "inv-1",
      runId: "run-1",
      attempt: 2,
      componentType: "workflow",
      componentName: "flow",
      metadata: { service_name: "svc" },
      headers: { "x-id": "1" },
      stepId: undefined,
      objectId: undefined,
      methodName: undefined,
    });
    expect(ctx.abortSignal).toBe(controller.signal);
    expect(isDurableContext(ctx)).toBe(true);
    expect(isDurableContext(createExecutionContext())).toBe(false);
  });

  it("runs a step's function at once and exposes its name as stepId while it runs", async () => {
    const ctx = createLocalDurableContext();
    const seen: (string | undefined)[] = [];
    const value = await ctx.step("outer", async () => {
      seen.push(ctx.stepId);
      await Promise.resolve();
      seen.push(ctx.stepId);
      return 7;
    });
    expect(value).toBe(7);
    expect(seen).toEqual(["outer", "outer"]);
    expect(ctx.stepId).toBeUndefined();
  });

  it("propagates a step's error as is (no journal, no retries)", async () => {
    const ctx = createLocalDurableContext();
    const error = new Error("nope");
    let calls = 0;
    await expect(
      ctx.step("s", () => {
        calls++;
        throw error;
      }),
    ).rejects.toBe(error);
    expect(calls).toBe(1);
  });

  it("really sleeps for ctx.sleep and ctx.timer({ delayMs })", async () => {
    vi.useFakeTimers();
    const ctx = createLocalDurableContext();
    let done = 0;
    void ctx.sleep(2).then(() => done++);
    void ctx.timer({ delayMs: 500 }).then(() => done++);
    await vi.advanceTimersByTimeAsync(499);
    expect(done).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(1);
    await vi.advanceTimersByTimeAsync(1500);
    expect(done).toBe(2);
  });

  it("stops sleeping when the invocation is aborted", async () => {
    const controller = new AbortController();
    const ctx = createLocalDurableContext({ signal: controller.signal });
    const sleeping = ctx.sleep(60);
    controller.abort(new Error("stop"));
    await expect(sleeping).rejects.toThrow("stop");
  });

  it("rejects invalid durations with INVALID_ARGUMENT", async () => {
    const ctx = createLocalDurableContext();
    await expect(ctx.sleep(-1)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(ctx.timer({ delayMs: Number.NaN })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });

  it("rejects operations that need a coordinator with NOT_IN_WORKER", async () => {
    const ctx = createLocalDurableContext();
    for (const operation of [
      ctx.signal("approved"),
      ctx.signal.emit("approved", {}),
      ctx.human.approval("deploy"),
      ctx.timer({ cron: "0 * * * *" }),
      ctx.task("billing", "charge", {}),
    ]) {
      await expect(operation).rejects.toBeInstanceOf(TerminalError);
      await expect(operation).rejects.toMatchObject({ code: "NOT_IN_WORKER" });
    }
    await expect(ctx.signal("approved")).rejects.toThrow(/ctx.signal\("approved"\) needs a worker/);
    expect(() => ctx.spawn({ service: "billing", handler: "charge" })).toThrow(/needs a worker/);
  });

  it("calls definitions in process for task and spawn, each in its own child context", async () => {
    const ids: string[] = [];
    const double = fn({ name: "double", registry }, (n: number, c) => {
      ids.push(c.invocationId);
      return n * 2;
    });
    const greet = workflow({ name: "greet", registry }, async (c, name: string) => `${c.componentType} ${name}`);
    const ctx = createLocalDurableContext({ invocationId: "parent" });
    await expect(ctx.task(double, 4)).resolves.toBe(8);
    const handle = ctx.spawn(greet, "ann");
    await expect(handle.result()).resolves.toBe("workflow ann");
    expect(handle.invocationId).toMatch(/^local-/);
    expect(ids[0]).not.toBe("parent");
  });

  it("collects a streaming function's chunks when called through task", async () => {
    const count = fn({ name: "count", registry }, async function* (n: number) {
      for (let i = 0; i < n; i++) yield i;
    });
    const ctx = createLocalDurableContext();
    await expect(ctx.task(count as unknown as CallableDefinition, 3)).resolves.toEqual([0, 1, 2]);
  });

  it("does not leak an unobserved spawned failure as an unhandled rejection", async () => {
    const failing = fn({ name: "failing", registry }, (): number => {
      throw new Error("child failed");
    });
    const ctx = createLocalDurableContext();
    const handle = ctx.spawn(failing, undefined);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await expect(handle.result()).rejects.toThrow("child failed");
  });

  it("draws fresh values for now, random and uuid", async () => {
    const ctx = createLocalDurableContext();
    expect(await ctx.now()).toBeInstanceOf(Date);
    const random = await ctx.random();
    expect(random).toBeGreaterThanOrEqual(0);
    expect(random).toBeLessThan(1);
    expect(await ctx.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("runs parallel items in order and returns their results as a tuple", async () => {
    const ctx = createLocalDurableContext();
    const order: string[] = [];
    const results = await ctx.parallel(
      () =>
        ctx.step("a", () => {
          order.push("a");
          return 1;
        }),
      () =>
        ctx.step("b", () => {
          order.push("b");
          return "two";
        }),
      Promise.resolve(true),
    );
    expect(results).toEqual([1, "two", true]);
    expect(order).toEqual(["a", "b"]);
  });

  it("gathers named results and rejects with the first failure", async () => {
    const ctx = createLocalDurableContext();
    await expect(ctx.gather({ x: () => ctx.step("x", () => 1), y: Promise.resolve("y") })).resolves.toEqual({
      x: 1,
      y: "y",
    });
    await expect(
      ctx.gather({
        ok: () => Promise.resolve(1),
        bad: () => {
          throw new Error("sync throw");
        },
      }),
    ).rejects.toThrow("sync throw");
  });
});

describe("toDurableContext", () => {
  it("passes a durable context through and wraps a plain one", () => {
    const durable = createLocalDurableContext();
    expect(toDurableContext(durable)).toBe(durable);
    const plain = createExecutionContext({ invocationId: "p" });
    const wrapped = toDurableContext(plain);
    expect(wrapped).not.toBe(plain);
    expect(wrapped.invocationId).toBe("p");
    expect(wrapped.abortSignal).toBe(plain.signal);
  });
});
