import type { ErrorInfo, PendingApproval, TimelineEntry, Wait } from "@agnt5/admin-client";
import type { StoredError } from "../../store/sql.js";
import type { JournalRow } from "../queries/journal-rows.js";
import { isObject, jsonValue } from "./json-text.js";

/** Entry kinds that are recorded when they start and completed later (they have a real start time). */
const AWAITING_KINDS = new Set(["timer", "signal_wait", "call"]);
const APPROVAL_PREFIX = "approval:";

/**
 * The run's journal as a timeline. Times: an awaiting entry (timer, signal wait, call) is recorded
 * when it starts and completed when it resolves, so its duration is exact. A step or deterministic
 * entry is recorded once, when its function has returned: it is shown as starting when the entry
 * before it ended (or the run was created), so its duration is an upper bound that includes any
 * time the run spent queued in between.
 *
 * Attempts: a journal entry is recorded once, after its last attempt; the attempts before are known
 * only from the run's last error. While a step is retried by the coordinator (STEP_RETRY, with the
 * entry's index and attempt in its details), the timeline shows that step as "running" with the
 * attempts that failed and the last error; after it succeeds, until the run ends, the recorded entry
 * shows them too. Every other entry shows 1.
 */
export function timelineOf(
  rows: readonly JournalRow[],
  runCreatedAt: Date,
  runError: StoredError | null,
): TimelineEntry[] {
  const retry = stepRetryInfo(runError);
  const timeline: TimelineEntry[] = [];
  let previousEnd = runCreatedAt;
  for (const row of rows) {
    const awaiting = AWAITING_KINDS.has(row.kind);
    const started = awaiting || row.created_at < previousEnd ? row.created_at : previousEnd;
    const retried = retry?.index === row.idx;
    timeline.push({
      index: row.idx,
      kind: row.kind,
      name: row.name,
      status:
        row.completed_at === null ? (awaiting ? "waiting" : "running") : row.failure !== null ? "failed" : "completed",
      startedAt: started.toISOString(),
      completedAt: row.completed_at?.toISOString() ?? null,
      durationMs: row.completed_at === null ? null : row.completed_at.getTime() - started.getTime(),
      attempts: retried ? retry.attempt + 1 : 1,
      request: jsonValue(row.request),
      result: row.completed_at !== null && row.failure === null ? jsonValue(row.result) : null,
      error: row.failure ? errorInfo(row.failure) : null,
      childRunId: row.child_id,
    });
    previousEnd = row.completed_at ?? row.created_at;
  }
  if (retry && !rows.some((row) => row.idx === retry.index)) {
    timeline.push({
      index: retry.index,
      kind: "step",
      name: retry.step,
      status: "running",
      startedAt: previousEnd.toISOString(),
      completedAt: null,
      durationMs: null,
      attempts: retry.attempt,
      request: null,
      result: null,
      error: retry.error,
      childRunId: null,
    });
  }
  return timeline;
}

function errorInfo(error: StoredError): ErrorInfo {
  return { code: error.code, message: error.message };
}

/** The step a coordinator-side retry is for, from the run's STEP_RETRY error. */
function stepRetryInfo(error: StoredError | null) {
  if (error?.code !== "STEP_RETRY" || !isObject(error.details)) return undefined;
  const { step, index, attempt, error: cause } = error.details;
  if (typeof index !== "number" || typeof attempt !== "number") return undefined;
  return {
    index,
    attempt,
    step: typeof step === "string" ? step : "step",
    error: isObject(cause)
      ? { code: String(cause.code ?? "ERROR"), message: String(cause.message ?? "") }
      : errorInfo(error),
  };
}

/** What the run waits on now: its open awaiting entries. */
export function waitsOf(rows: readonly JournalRow[]): Wait[] {
  return rows
    .filter((row) => row.completed_at === null && AWAITING_KINDS.has(row.kind))
    .map((row) => {
      const since = row.created_at.toISOString();
      const until = row.fire_at?.toISOString() ?? null;
      if (row.kind === "timer") return { index: row.idx, kind: "timer", name: row.name, since, until };
      if (row.kind === "call") return { index: row.idx, kind: "call", name: row.child_id ?? row.name, since, until };
      return row.name.startsWith(APPROVAL_PREFIX)
        ? { index: row.idx, kind: "approval", name: row.name.slice(APPROVAL_PREFIX.length), since, until }
        : { index: row.idx, kind: "signal", name: row.name, since, until };
    });
}

/** Open ctx.human.approval entries: `signal_wait` named `approval:<name>`, request `{ approval: { payload, requiredRoles } }`. */
export function pendingApprovalsOf(rows: readonly JournalRow[]): PendingApproval[] {
  return rows
    .filter((row) => row.completed_at === null && row.kind === "signal_wait" && row.name.startsWith(APPROVAL_PREFIX))
    .map((row) => {
      const request = jsonValue(row.request);
      const approval = isObject(request) && isObject(request.approval) ? request.approval : {};
      const roles = Array.isArray(approval.requiredRoles) ? approval.requiredRoles : [];
      return {
        index: row.idx,
        name: row.name.slice(APPROVAL_PREFIX.length),
        payload: approval.payload ?? null,
        requiredRoles: roles.filter((role): role is string => typeof role === "string"),
        since: row.created_at.toISOString(),
        timeoutAt: row.fire_at?.toISOString() ?? null,
      };
    });
}
