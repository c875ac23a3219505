// The worker of bench/scale.mjs: a workflow that suspends on a signal, a long journal, a short
// journal to recover, and a probe of its own heap (gc first) for the "a suspended run costs the
// worker nothing" check. SCALE_KILL_AT_STEP=<n> makes this process SIGKILL itself in step n of
// long_journal (the crash the bench re-dispatches from): it says so, waits until the file
// SCALE_KILL_WHEN exists (the bench creates it once a second worker is ready to take the run over),
// and logs its memory first.
import { existsSync } from "node:fs";
import { fn, Worker, workflow } from "@agnt5/sdk";

/** Suspends until the run's "go" signal arrives (AGNT5_SUSPEND_AFTER_MS after the wait starts). */
workflow("wait_signal", async (ctx) => {
  const payload = await ctx.signal("go");
  return { payload };
});

/** Wall-clock milliseconds with a fraction (the bench compares them with its Date.now()). */
const wallNow = () => Math.round((performance.timeOrigin + performance.now()) * 100) / 100;

const killAt = process.env.SCALE_KILL_AT_STEP === undefined ? -1 : Number(process.env.SCALE_KILL_AT_STEP);

async function killSelf() {
  console.log("SCALE_WAITING_TO_DIE");
  while (process.env.SCALE_KILL_WHEN && !existsSync(process.env.SCALE_KILL_WHEN)) {
    await new Promise((r) => setTimeout(r, 10));
  }
  globalThis.gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  console.log(`SCALE_MEMORY_AT_KILL ${JSON.stringify({ rss, heapUsed })}`);
  process.kill(process.pid, "SIGKILL");
}

/**
 * `steps` steps, each returning the time it ran: the journal records when every step ran, so the
 * bench reads the time per step from it (replayed steps return their recorded time).
 */
workflow("long_journal", async (ctx, input) => {
  // A re-dispatch starts here, before replaying the journal: the bench splits its time at this line.
  if (ctx.attempt > 1) console.log(`SCALE_HANDLER_ENTERED_AT ${wallNow()}`);
  let last = 0;
  for (let i = 0; i < input.steps; i++) {
    last = await ctx.step(`step-${i}`, async () => {
      if (i === killAt) await killSelf();
      return wallNow();
    });
  }
  return { steps: input.steps, last };
});

/** What recovery finds seeded in the store: three steps, two of them already journaled. */
workflow("three_steps", async (ctx) => {
  let total = 0;
  for (let i = 0; i < 3; i++) total += await ctx.step(`step-${i}`, () => i);
  return { total };
});

fn("echo", (input) => input);

/** This process's memory after a full collection (run with --expose-gc). */
fn("heap", () => {
  globalThis.gc?.();
  const usage = process.memoryUsage();
  return { gc: typeof globalThis.gc === "function", heapUsed: usage.heapUsed, rss: usage.rss };
});

const worker = new Worker({ serviceName: "scale", maxConcurrency: Number(process.env.SCALE_MAX_CONCURRENCY ?? 256) });
await worker.run();
