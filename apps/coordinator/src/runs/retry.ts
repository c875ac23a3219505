import type { EngineContext } from "../engine/engine-context.js";
import { CoordinatorError } from "../errors.js";
import type { InvocationRecord } from "../store/index.js";
import { runRecord } from "./run-control.js";

/** How many `<runId>.r<n>` ids a restart tries before giving up (each is one read). */
const MAX_RESTART_SUFFIX = 1000;

/**
 * Runs a failed run again: same id, next attempt, replaying its journal up to the entry that
 * failed (that step runs again). RUN_NOT_RETRYABLE unless the run failed.
 */
export async function retryRun(ctx: EngineContext, runId: string): Promise<InvocationRecord> {
  const record = await runRecord(ctx, runId);
  const notRetryable = () =>
    new CoordinatorError("RUN_NOT_RETRYABLE", `Run "${runId}" is ${record.status}; only a failed run can be retried`);
  if (record.status !== "failed" || ctx.active.has(runId)) throw notRetryable();
  // The tail first: a crash in between leaves a failed run with a shorter journal, retried again.
  await ctx.journal.dropFailedTail(runId);
  if (!(await ctx.records.reopen(runId))) throw notRetryable();
  const reopened = await runRecord(ctx, runId);
  ctx.admit(await ctx.revive(reopened, reopened.attempt));
  return reopened;
}

/**
 * Starts a NEW run (id `newRunId`, or `<runId>.r<n>`) of the same component and input whose
 * journal starts with a copy of the entries before `fromEntry`: those replay, the rest run again.
 * Works on runs in any state; INVALID_REQUEST when fromEntry is out of range or an entry before
 * it has no result yet; RUN_ID_CONFLICT when newRunId is taken.
 */
export async function restartRunFrom(
  ctx: EngineContext,
  runId: string,
  fromEntry: number,
  options: { newRunId?: string } = {},
): Promise<InvocationRecord> {
  await runRecord(ctx, runId);
  const journal = await ctx.journal.load(runId);
  const count = journal.reduce((max, entry) => Math.max(max, entry.index + 1), 0);
  if (!Number.isInteger(fromEntry) || fromEntry < 0 || fromEntry > count) {
    throw new CoordinatorError(
      "INVALID_REQUEST",
      `fromEntry must be an integer from 0 to ${count} (run "${runId}" has ${count} journal entries); got ${fromEntry}`,
    );
  }
  const open = journal.find((entry) => entry.index < fromEntry && entry.result === undefined);
  if (open) {
    throw new CoordinatorError(
      "INVALID_REQUEST",
      `fromEntry ${fromEntry}: entry ${open.index} (${open.kind} "${open.name}") has no result yet to replay`,
    );
  }
  const restarted = await ctx.records.restart(runId, options.newRunId ?? (await freeRunId(ctx, runId)), fromEntry);
  if (!restarted) throw new CoordinatorError("RUN_NOT_FOUND", `No run with id "${runId}"`);
  if (!restarted.created) {
    throw new CoordinatorError("RUN_ID_CONFLICT", `Run id "${restarted.record.id}" is already taken`);
  }
  ctx.admit(await ctx.revive(restarted.record, 1));
  return restarted.record;
}

async function freeRunId(ctx: EngineContext, runId: string): Promise<string> {
  for (let n = 1; n <= MAX_RESTART_SUFFIX; n++) {
    const id = `${runId}.r${n}`;
    if (!(await ctx.records.get(id))) return id;
  }
  throw new CoordinatorError("RUN_ID_CONFLICT", `Run "${runId}" has been restarted ${MAX_RESTART_SUFFIX} times`);
}
