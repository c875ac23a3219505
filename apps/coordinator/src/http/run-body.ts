import type { Outcome } from "../engine/active-invocation.js";
import type { LiveEntry } from "../journal/journal-entry.js";
import type { InvocationRecord } from "../store/index.js";

/** The seed's workflow statuses: a suspended run (or one blocked on a timer/signal/child) is "waiting". */
export type RunStatus = "pending" | "running" | "waiting" | "completed" | "failed" | "cancelled";

export function runStatus(record: InvocationRecord, live: { status: string } | undefined): RunStatus {
  if (live) return live.status as RunStatus;
  return record.status === "suspended" ? "waiting" : (record.status as RunStatus);
}

export function runBody(
  record: InvocationRecord,
  live: { status: string; attempt: number } | undefined,
  current: LiveEntry | undefined,
) {
  return {
    runId: record.id,
    workflow: record.handler,
    service: record.service,
    status: runStatus(record, live),
    attempt: live?.attempt ?? record.attempt,
    cancelRequested: record.cancelRequested,
    ...(current
      ? {
          currentStep: {
            index: current.index,
            kind: current.kind,
            name: current.name,
            status: current.result === undefined ? "pending" : "completed",
          },
        }
      : {}),
    ...(record.output === null ? {} : { output: JSON.parse(record.output) as unknown }),
    ...(record.error === null ? {} : { error: record.error }),
    createdAt: new Date(record.createdAt).toISOString(),
    ...(record.completedAt ? { completedAt: new Date(record.completedAt).toISOString() } : {}),
  };
}

export function runResultBody(runId: string, outcome: Outcome) {
  return {
    runId,
    status: outcome.status,
    ...("output" in outcome && outcome.output !== null ? { output: JSON.parse(outcome.output) as unknown } : {}),
    ...("error" in outcome && outcome.error ? { error: outcome.error } : {}),
  };
}
