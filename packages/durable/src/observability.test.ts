import { type DurableContext, type Logger, staticConfig } from "@agnt5/core";
import { type MeterProvider, metrics } from "@opentelemetry/api";
import { afterAll, describe, expect, it } from "vitest";
import type { JournalEntry } from "./journal-entry.js";
import { createHarness, ok } from "./test-support/harness.js";

/** Keeps the info lines (the handler's); the engine's own debug lines are not under test. */
function captureLogger(messages: string[]): Logger {
  const info = (obj: object | string, message?: string) => {
    messages.push(typeof obj === "string" ? obj : (message ?? ""));
  };
  const none = () => {};
  const logger: Logger = { trace: none, debug: none, info, warn: none, error: none, child: () => logger };
  return logger;
}

/** Logs around two steps and a timer, as a workflow that suspends on the timer would. */
async function logged(ctx: DurableContext) {
  ctx.log().info("starting");
  await ctx.step("a", () => "A");
  ctx.log().info("after a");
  await ctx.sleep(60);
  ctx.log().info("after the timer");
  await ctx.step("b", () => "B");
  ctx.log().info("done");
  return "ok";
}

describe("ctx.log() during replay", () => {
  it("does not print again what the recorded part of the run printed; prints what comes after", async () => {
    // First run: everything up to the timer, which it suspends on.
    const first: string[] = [];
    const h1 = createHarness({ logger: captureLogger(first), suspendAfterMs: 0, timers: undefined });
    h1.autoAck();
    const outcome1 = await h1.execution.run(logged);
    expect(outcome1).toMatchObject({ type: "suspended" });
    expect(first).toEqual(["starting", "after a"]);

    // Resume: the journal holds step a and the fired timer.
    const journal: JournalEntry[] = [
      { index: 0, kind: "step", name: "a", request: null, result: ok("A") },
      { ...h1.proposals()[1]!, result: ok(null) },
    ];
    const second: string[] = [];
    const h2 = createHarness({ journal, logger: captureLogger(second) });
    h2.autoAck();
    const outcome2 = await h2.execution.run(logged);
    expect(outcome2).toEqual({ type: "completed", value: "ok" });
    expect(second).toEqual(["after the timer", "done"]);
    // Together, each line exactly once.
    expect([...first, ...second]).toEqual(["starting", "after a", "after the timer", "done"]);
  });
});

describe("ctx.config().variant() in a durable run", () => {
  const branch = async (ctx: DurableContext) => {
    const variant = await ctx.config().variant("experiment_group", "control");
    return variant === "treatment" ? "experimental flow" : "legacy flow";
  };

  it("is journaled, and a replay takes the recorded branch after the configuration changed", async () => {
    const h1 = createHarness({ observability: { config: staticConfig({ experiment_group: "treatment" }) } });
    h1.autoAck();
    expect(await h1.execution.run(branch)).toEqual({ type: "completed", value: "experimental flow" });
    const [entry] = h1.proposals();
    expect(entry).toMatchObject({ kind: "step", name: "config.variant:experiment_group", result: ok("treatment") });

    // The configuration changes; the run is replayed from its journal.
    const h2 = createHarness({
      journal: [entry!],
      observability: { config: staticConfig({ experiment_group: "control" }) },
    });
    expect(await h2.execution.run(branch)).toEqual({ type: "completed", value: "experimental flow" });
    expect(h2.frames).toEqual([]);

    // A new run reads the new configuration.
    const h3 = createHarness({ observability: { config: staticConfig({ experiment_group: "control" }) } });
    h3.autoAck();
    expect(await h3.execution.run(branch)).toEqual({ type: "completed", value: "legacy flow" });
  });
});

describe("ctx.metrics() during replay", () => {
  // A MeterProvider that keeps every counter add (the SDK's is not a dependency of this package).
  const adds: Array<{ name: string; value: number }> = [];
  const provider = {
    getMeter: () => ({
      createCounter: (name: string) => ({ add: (value: number) => adds.push({ name, value }) }),
      createHistogram: (name: string) => ({ record: (value: number) => adds.push({ name, value }) }),
    }),
  } as unknown as MeterProvider;
  metrics.setGlobalMeterProvider(provider);
  afterAll(() => metrics.disable());

  it("records nothing for the recorded part of the run, once for what comes after", async () => {
    const counted = async (ctx: DurableContext) => {
      ctx.metrics().increment("before");
      await ctx.step("a", () => "A");
      ctx.metrics().increment("after");
      return "ok";
    };
    const h = createHarness({ journal: [{ index: 0, kind: "step", name: "a", request: null, result: ok("A") }] });
    expect(await h.execution.run(counted)).toEqual({ type: "completed", value: "ok" });
    expect(adds).toEqual([{ name: "after", value: 1 }]);
  });
});
