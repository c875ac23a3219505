import type { EngineContext } from "../engine/engine-context.js";
import { CoordinatorError } from "../errors.js";
import { payloadTooLargeError } from "../limits/payload-too-large.js";
import type { InvocationRecord } from "../store/index.js";

const TERMINAL = new Set(["completed", "failed", "cancelled"]);

/** A run by id, or RUN_NOT_FOUND. */
export async function runRecord(ctx: EngineContext, runId: string): Promise<InvocationRecord> {
  const record = await ctx.records.get(runId);
  if (!record) throw new CoordinatorError("RUN_NOT_FOUND", `No run with id "${runId}"`);
  return record;
}

export const isFinished = (record: InvocationRecord) => TERMINAL.has(record.status);

/** Sends a signal to a run: delivered to its waiting ctx.signal, or kept until one waits. */
export async function signalRun(
  ctx: EngineContext,
  runId: string,
  name: string,
  payload: string,
): Promise<{ delivered: boolean }> {
  // Refused before the run is looked up: nothing of it is stored.
  const bytes = Buffer.byteLength(payload);
  if (bytes > ctx.limits.signalBytes) {
    const subject = `signal ${JSON.stringify(name.slice(0, 200))} to run "${runId}"`;
    throw payloadTooLargeError({ limit: "signalBytes", bytes, maxBytes: ctx.limits.signalBytes, subject });
  }
  const record = await runRecord(ctx, runId);
  if (isFinished(record)) {
    throw new CoordinatorError("RUN_FINISHED", `Run "${runId}" has already ended (${record.status})`);
  }
  const { deliveredTo } = await ctx.journal.emitSignal({ runId, name, payload });
  if (deliveredTo) {
    await ctx.deliver(deliveredTo.invocationId, deliveredTo.index, { ok: true, value: `{"payload":${payload}}` });
  }
  return { delivered: deliveredTo !== undefined };
}

/**
 * Asks a run to cancel: it sees a CancelledError at its next durable operation and ends cancelled.
 * A run that has already ended cannot be cancelled (RUN_FINISHED, as for a signal).
 */
export async function cancelRun(ctx: EngineContext, runId: string): Promise<InvocationRecord> {
  const record = await runRecord(ctx, runId);
  if (isFinished(record)) {
    throw new CoordinatorError(
      "RUN_FINISHED",
      `Run "${runId}" has already ended (${record.status}); it cannot be cancelled`,
    );
  }
  await ctx.records.requestCancel(runId);
  // Cancellation wins over a pause: the run must run to see it.
  if (record.paused) await ctx.records.setPaused(runId, false);
  const live = ctx.active.get(runId);
  if (live) {
    live.cancelRequested = true;
    live.paused = false;
    if (live.state === "held") ctx.ready(live);
    if (live.state === "running" && live.worker) {
      live.worker.send({ case: "cancel", value: { invocationId: runId, reason: "cancel requested" } });
    }
    return { ...record, cancelRequested: true, paused: false };
  }
  // Suspended: bring it back so it can see the cancellation and clean up.
  await ctx.resume(runId);
  return { ...record, cancelRequested: true, paused: false };
}
