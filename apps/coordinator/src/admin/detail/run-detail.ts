import type { RunDetail } from "@agnt5/admin-client";
import { CoordinatorError } from "../../errors.js";
import { journalRows } from "../queries/journal-rows.js";
import { childRunRows, getRunRow, getRunRows } from "../queries/run-rows.js";
import { runSummaries, type SummaryDeps } from "../run-summaries.js";
import { toRunSummary, waitingOnText } from "../run-summary.js";
import { modelCallsOf, toolCallsOf, totalsOf } from "./ai-calls.js";
import { jsonValue } from "./json-text.js";
import { pendingApprovalsOf, timelineOf, waitsOf } from "./run-timeline.js";

/** A run's detail, read from the store (so it is the same on any coordinator and after a restart). */
export async function runDetail(deps: SummaryDeps, runId: string): Promise<RunDetail> {
  const row = await getRunRow(deps.db, runId);
  if (!row) throw new CoordinatorError("RUN_NOT_FOUND", `No run with id "${runId}"`);
  const [rows, children, parents] = await Promise.all([
    journalRows(deps.db, runId),
    childRunRows(deps.db, runId),
    getRunRows(deps.db, row.parent_id === null ? [] : [row.parent_id]),
  ]);
  const open = rows.filter((entry) => entry.completed_at === null).map((entry) => ({ ...entry, invocation_id: runId }));
  const timeline = timelineOf(rows, row.created_at, row.error);
  const modelCalls = modelCallsOf(timeline);
  const [childSummaries, parentSummaries] = await Promise.all([
    runSummaries(deps, children),
    runSummaries(deps, parents),
  ]);
  return {
    ...toRunSummary(row, deps, waitingOnText(open)),
    input: jsonValue(row.input),
    output: jsonValue(row.output),
    headers: row.headers,
    timeline,
    waits: waitsOf(rows),
    modelCalls,
    toolCalls: toolCallsOf(timeline),
    pendingApprovals: pendingApprovalsOf(rows),
    children: childSummaries,
    parent: parentSummaries[0] ?? null,
    totals: totalsOf(modelCalls),
  };
}
