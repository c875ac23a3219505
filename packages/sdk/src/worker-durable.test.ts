import { once } from "node:events";
import { CancelledError, fn, Registry, RetryableError, StepFailedError, workflow } from "@agnt5/core";
import { ComponentKind } from "@agnt5/proto";
import { afterEach, describe, expect, it } from "vitest";
import { createCaptureLogger } from "./test-support/capture-logger.js";
import { FakeCoordinator, type FakeCoordinatorOptions } from "./test-support/fake-coordinator.js";
import { Worker } from "./worker.js";
import type { WorkerOptions } from "./worker-options.js";

const WORKFLOW = ComponentKind.WORKFLOW;

/** Lets pending I/O and timers run, to check that something did NOT happen. */
const settle = (ms = 50) => new Promise((resolve) => setTimeout(resolve, ms));

function components() {
  const registry = new Registry();
  const calls: Record<string, number> = {};
  const count = (name: string) => {
    calls[name] = (calls[name] ?? 0) + 1;
  };

  workflow({ name: "two_steps", registry, retry: { maxAttempts: 4 } }, async (ctx, input: { start: number }) => {
    const a = await ctx.step("a", () => {
      count("a");
      return input.start + 1;
    });
    const b = await ctx.step("b", () => {
      count("b");
      return a * 10;
    });
    return { a, b };
  });

  workflow({ name: "nap", registry }, async (ctx) => {
    await ctx.sleep(60);
    return ctx.step("after", () => {
      count("after");
      return "woke";
    });
  });

  workflow({ name: "cancellable", registry }, async (ctx) => {
    try {
      await ctx.sleep(3600);
      return { cancelled: false };
    } catch (error) {
      if (!CancelledError.isInstance(error)) throw error;
      // ctx.step still runs after a cancellation: cleanup is journaled like any step.
      const cleaned = await ctx.step("cleanup", () => {
        count("cleanup");
        return true;
      });
      return { cancelled: true, cleaned, reason: error.reason ?? null };
    }
  });

  workflow({ name: "await_go", registry }, async (ctx) => {
    const payload = await ctx.signal<{ x: number }>("go");
    return { payload };
  });

  workflow({ name: "flaky_step", registry, retry: { maxAttempts: 3, initialIntervalMs: 1 } }, async (ctx) => {
    try {
      await ctx.step("always_fails", () => {
        count("always_fails");
        throw new RetryableError("try again");
      });
      return "unreachable";
    } catch (error) {
      return StepFailedError.isInstance(error) ? `gave up: ${error.message}` : "other";
    }
  });

  fn({ name: "load_user", registry }, async (id: string, ctx) => {
    const user = await ctx.step("fetch", () => {
      count("fetch");
      return { id, name: "Ada" };
    });
    return { ...user, at: (await ctx.now()).getTime() > 0 };
  });

  fn({ name: "stream_steps", registry }, async function* (n: number, ctx) {
    for (let i = 0; i < n; i++) yield await ctx.step(`chunk-${i}`, () => ({ i }));
  });

  return { registry, calls };
}

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(options: Partial<WorkerOptions> = {}, coordinatorOptions: FakeCoordinatorOptions = {}) {
  const coordinator = await FakeCoordinator.start(coordinatorOptions);
  cleanups.push(() => coordinator.stop());
  const { registry, calls } = components();
  const logger = createCaptureLogger();
  const worker = new Worker("durable-service", {
    coordinatorEndpoint: coordinator.endpoint,
    registry,
    logger,
    handleSignals: false,
    ...options,
  });
  const running = worker.run();
  cleanups.push(async () => {
    await worker.stop();
    await running;
  });
  await worker.ready;
  const stream = await coordinator.stream(0);
  return { coordinator, worker, stream, calls, logger };
}

describe("Worker: invocations on the durable engine", () => {
  it("registers a workflow with kind WORKFLOW, its retry policy and metadata", async () => {
    const { stream } = await setup();
    const registration = await stream.registration;
    const byName = Object.fromEntries(registration.components.map((c) => [c.name, c]));

    expect(byName.two_steps).toMatchObject({ kind: ComponentKind.WORKFLOW, streaming: false });
    expect(byName.two_steps!.retryPolicy).toMatchObject({ maxAttempts: 4 });
    expect(JSON.parse(byName.two_steps!.metadataJson)).toMatchObject({ name: "two_steps", type: "workflow" });
    expect(byName.load_user).toMatchObject({ kind: ComponentKind.FUNCTION });
  });

  it("proposes a workflow's steps in order, each with its result, continuing only after its EntryAck", async () => {
    const { stream, calls } = await setup();
    const id = stream.start({ componentName: "two_steps", componentKind: WORKFLOW, input: { start: 1 }, attempt: 2 });

    const first = await stream.proposal(id, 0);
    expect(first).toEqual({
      invocationId: id,
      attempt: 2,
      entry: { index: 0, kind: "step", name: "a", request: null, result: { ok: true, value: 2 } },
    });
    await settle();
    // Not acknowledged yet: the handler has not seen step a's value, so step b has not started.
    expect(calls.b).toBeUndefined();
    expect(stream.proposals(id)).toHaveLength(1);

    stream.commit(first);
    const second = await stream.proposal(id, 1);
    expect(second.entry).toEqual({ index: 1, kind: "step", name: "b", request: null, result: { ok: true, value: 20 } });
    await settle();
    expect(stream.received.some((m) => m.case === "completed")).toBe(false);

    stream.commit(second);
    expect(await stream.completed(id)).toMatchObject({ output: { a: 2, b: 20 }, attempt: 2 });
    expect(calls).toEqual({ a: 1, b: 1 });
  });

  it("replays the journal from StartInvocation without re-running recorded steps, proposing only new entries", async () => {
    const { stream, calls } = await setup({}, { autoAck: true });
    const id = stream.start({
      componentName: "two_steps",
      componentKind: WORKFLOW,
      input: { start: 1 },
      journal: [{ index: 0, kind: "step", name: "a", request: null, result: { ok: true, value: 41 } }],
    });

    // The recorded value (41), not a fresh run of step a (which would give 2).
    expect((await stream.completed(id)).output).toEqual({ a: 41, b: 410 });
    expect(calls).toEqual({ b: 1 });
    expect(stream.proposals(id).map((p) => p.entry.index)).toEqual([1]);
  });

  it("fails with NON_DETERMINISM (not retryable) when the journal disagrees with the code", async () => {
    const { stream, calls } = await setup({}, { autoAck: true });
    const id = stream.start({
      componentName: "two_steps",
      componentKind: WORKFLOW,
      input: { start: 1 },
      journal: [{ index: 0, kind: "step", name: "renamed", request: null, result: { ok: true, value: 1 } }],
    });

    const outcome = await stream.outcome(id);
    expect(outcome.case).toBe("failed");
    if (outcome.case !== "failed") return;
    expect(outcome.value.failure).toMatchObject({ code: "NON_DETERMINISM", retryable: false });
    expect(outcome.value.failure?.message).toContain("renamed");
    expect(calls).toEqual({});
    expect(stream.proposals(id)).toHaveLength(0);
  });

  it("suspends after suspendAfterMs once only a timer is pending, freeing the slot; a re-dispatch with the result resumes", async () => {
    const { stream, calls } = await setup({ suspendAfterMs: 0 }, { heartbeatIntervalMs: 20 });
    const id = stream.start({ componentName: "nap", componentKind: WORKFLOW });

    const timer = await stream.proposal(id, 0);
    expect(timer.entry).toMatchObject({ index: 0, kind: "timer", name: "sleep" });
    expect(timer.entry.result).toBeUndefined();
    expect((timer.entry.request as { fireAtMs: number }).fireAtMs).toBeGreaterThan(Date.now() + 50_000);
    await stream.waitFor("heartbeat", (beat) => beat.inFlight === 1);

    stream.ack(id, 0); // recorded, pending
    expect(await stream.suspension(id)).toMatchObject({ waitingOn: [0], attempt: 1 });
    const afterSuspend = stream.received.length;
    await stream.waitFor("heartbeat", (beat) => beat.inFlight === 0, afterSuspend);

    // The worker forgot it: a late EntryAck is ignored, nothing more is sent.
    stream.ack(id, 0, { ok: true, value: null });
    await settle();
    expect(stream.received.some((m) => m.case === "completed" || m.case === "failed")).toBe(false);
    expect(calls.after).toBeUndefined();

    // The timer fired: the coordinator re-dispatches with the journal (same attempt).
    const journal = [{ ...timer.entry, result: { ok: true as const, value: null } }];
    stream.start({ componentName: "nap", componentKind: WORKFLOW, invocationId: id, journal });
    stream.commit(await stream.proposal(id, 1));
    expect((await stream.completed(id)).output).toBe("woke");
    expect(calls.after).toBe(1);
  });

  it("takes suspendAfterMs from AGNT5_SUSPEND_AFTER_MS", async () => {
    const saved = process.env.AGNT5_SUSPEND_AFTER_MS;
    process.env.AGNT5_SUSPEND_AFTER_MS = "0";
    try {
      const { stream } = await setup();
      const id = stream.start({ componentName: "await_go", componentKind: WORKFLOW });
      stream.commit(await stream.proposal(id, 0));
      expect(await stream.suspension(id)).toMatchObject({ waitingOn: [0] });
    } finally {
      if (saved === undefined) delete process.env.AGNT5_SUSPEND_AFTER_MS;
      else process.env.AGNT5_SUSPEND_AFTER_MS = saved;
    }
  });

  it("resumes in place when the awaited entry's result arrives before the suspension", async () => {
    const { stream, calls } = await setup({ suspendAfterMs: 10_000 });
    const id = stream.start({ componentName: "nap", componentKind: WORKFLOW });
    stream.ack(id, (await stream.proposal(id, 0)).entry.index);
    await settle();
    expect(calls.after).toBeUndefined();

    stream.ack(id, 0, { ok: true, value: null }); // the timer fired
    stream.commit(await stream.proposal(id, 1));
    expect((await stream.completed(id)).output).toBe("woke");
    expect(stream.received.some((m) => m.case === "suspend")).toBe(false);
  });

  it("delivers a signal's payload from the EntryAck", async () => {
    const { stream } = await setup({}, { autoAck: true });
    const id = stream.start({ componentName: "await_go", componentKind: WORKFLOW });
    const wait = await stream.proposal(id, 0);
    expect(wait.entry).toMatchObject({ kind: "signal_wait", name: "go" });
    stream.ack(id, 0, { ok: true, value: { payload: { x: 7 } } });
    expect((await stream.completed(id)).output).toEqual({ payload: { x: 7 } });
  });

  it("cancels on CancelInvocation: the awaited operation throws CancelledError, cleanup steps run, the handler's value is sent as completed", async () => {
    const { stream, calls } = await setup({ suspendAfterMs: 10_000 }, { autoAck: true });
    const id = stream.start({ componentName: "cancellable", componentKind: WORKFLOW });
    await stream.proposal(id, 0);
    await settle();

    stream.cancel(id, "user asked");
    const cleanup = await stream.proposal(id, 1);
    expect(cleanup.entry).toMatchObject({ kind: "step", name: "cleanup", result: { ok: true, value: true } });
    const outcome = await stream.completed(id);
    expect(outcome.output).toEqual({ cancelled: true, cleaned: true, reason: "user asked" });
    expect(calls.cleanup).toBe(1);
  });

  it("delivers StartInvocation.cancel_requested at the first durable operation", async () => {
    const { stream } = await setup({}, { autoAck: true });
    const id = stream.start({ componentName: "cancellable", componentKind: WORKFLOW, cancelRequested: true });
    expect((await stream.completed(id)).output).toMatchObject({ cancelled: true, cleaned: true });
    // The sleep was refused without a proposal; only the cleanup step was journaled.
    expect(stream.proposals(id).map((p) => p.entry.name)).toEqual(["cleanup"]);
  });

  it("retries a failing step in process per the component's retry policy, then journals the failure", async () => {
    const { stream, calls } = await setup({}, { autoAck: true });
    const id = stream.start({ componentName: "flaky_step", componentKind: WORKFLOW });
    expect((await stream.completed(id)).output).toMatch(/^gave up: /);
    expect(calls.always_fails).toBe(3);
    const [failed] = stream.proposals(id);
    expect(failed?.entry).toMatchObject({
      kind: "step",
      name: "always_fails",
      result: { ok: false, failure: { code: "RETRYABLE", message: "try again" } },
    });
  });

  it("journals a function's ctx.step and ctx.now() too", async () => {
    const { stream, calls } = await setup({}, { autoAck: true });
    const id = stream.start({ componentName: "load_user", input: "u1" });
    expect((await stream.completed(id)).output).toEqual({ id: "u1", name: "Ada", at: true });
    expect(stream.proposals(id).map(({ entry }) => [entry.kind, entry.name])).toEqual([
      ["step", "fetch"],
      ["deterministic", "now"],
    ]);
    expect(calls.fetch).toBe(1);
  });

  it("lets a streaming function use ctx.step, streaming each chunk after its entry is acknowledged", async () => {
    const { stream } = await setup({}, { autoAck: true });
    const id = stream.start({ componentName: "stream_steps", input: 2 });
    const result = await stream.completed(id);
    expect(result.output).toBeUndefined();
    expect(result.chunks.map((chunk) => JSON.parse(new TextDecoder().decode(chunk.data)))).toEqual([
      { i: 0 },
      { i: 1 },
    ]);
    expect(stream.proposals(id).map((p) => p.entry.name)).toEqual(["chunk-0", "chunk-1"]);
  });

  it("ignores an EntryAck for an invocation it does not hold", async () => {
    const { stream, logger } = await setup();
    stream.ack("nobody", 3, { ok: true, value: 1 });
    const id = stream.start({ componentName: "load_user", input: "u2" });
    stream.commit(await stream.proposal(id, 0));
    stream.commit(await stream.proposal(id, 1));
    expect((await stream.completed(id)).output).toMatchObject({ id: "u2" });
    expect(logger.lines.some((line) => line.message.includes("no longer holds"))).toBe(true);
  });

  it("fails the run (INVALID_JOURNAL, not retryable) when the coordinator's journal cannot be read", async () => {
    const { stream } = await setup();
    const id = stream.start({
      componentName: "two_steps",
      componentKind: WORKFLOW,
      input: { start: 1 },
      // A kind this worker does not know travels as ENTRY_KIND_UNSPECIFIED.
      journal: [{ index: 0, kind: "mystery" as never, name: "a", request: null }],
    });
    const outcome = await stream.outcome(id);
    expect(outcome.case === "failed" && outcome.value.failure).toMatchObject({
      code: "INVALID_JOURNAL",
      retryable: false,
    });
  });

  it("drops executions of a broken stream without unhandled rejections", async () => {
    const { coordinator, worker, stream } = await setup({ catchUnhandledRejections: false });
    const id = stream.start({ componentName: "two_steps", componentKind: WORKFLOW, input: { start: 1 } });
    await stream.proposal(id, 0);

    const disconnected = once(worker, "disconnected");
    await coordinator.stop();
    await disconnected;
    await settle(100);
    // vitest fails the run on an unhandled rejection; the worker reconnects and serves again.
    const registered = once(worker, "registered");
    await coordinator.restart();
    await registered;
    const again = await coordinator.stream(1);
    const next = again.start({ componentName: "load_user", input: "u3" });
    again.commit(await again.proposal(next, 0));
    again.commit(await again.proposal(next, 1));
    expect((await again.completed(next)).output).toMatchObject({ id: "u3" });
  });
});
