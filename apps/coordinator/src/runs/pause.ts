import type { EngineContext } from "../engine/engine-context.js";
import { CoordinatorError } from "../errors.js";
import type { InvocationRecord } from "../store/index.js";
import { isFinished, runRecord } from "./run-control.js";

/**
 * Pauses a run: it is not dispatched again (an attempt on a worker now goes on until it suspends
 * or ends), and its timers do not fire, until it is resumed. Recorded, so a restart keeps it.
 * RUN_NOT_PAUSABLE once the run has ended.
 */
export async function pauseRun(ctx: EngineContext, runId: string): Promise<InvocationRecord> {
  const record = await runRecord(ctx, runId);
  if (isFinished(record) || !(await ctx.records.setPaused(runId, true))) {
    throw new CoordinatorError(
      "RUN_NOT_PAUSABLE",
      `Run "${runId}" has already ended (${record.status}); it cannot be paused`,
    );
  }
  const live = ctx.active.get(runId);
  if (live) {
    live.paused = true;
    // Queued: held instead (its queue entry is skipped); elsewhere the next "ready" holds it.
    if (live.state === "queued") ctx.ready(live);
  } else await ctx.routing?.refreshElsewhere(runId);
  return { ...record, paused: true };
}

/**
 * Resumes a paused run: dispatched again if it was ready to run, and the timers that came due
 * while it was paused fire now. Resuming a run that is not paused changes nothing.
 */
export async function resumeRun(ctx: EngineContext, runId: string): Promise<InvocationRecord> {
  const record = await runRecord(ctx, runId);
  if (!record.paused) return record;
  await ctx.records.setPaused(runId, false);
  const live = ctx.active.get(runId);
  if (live) {
    live.paused = false;
    if (live.state === "held") ctx.ready(live);
  } else await ctx.routing?.refreshElsewhere(runId);
  ctx.timers?.schedule(new Date());
  return { ...record, paused: false };
}
