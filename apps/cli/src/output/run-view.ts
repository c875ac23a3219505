import type { RunDetail, RunSummary } from "@agnt5/admin-client";
import { age, clock, count, duration, jsonBlock, jsonCell } from "./format.js";
import { renderTable } from "./table.js";

/** `agnt5 runs list`: one row per run, newest first (the API's order). */
export function renderRunList(runs: readonly RunSummary[], now = Date.now()): string {
  if (runs.length === 0) return "No runs match.";
  return renderTable(
    [
      { header: "ID", max: 40 },
      { header: "SERVICE/COMPONENT", max: 40 },
      { header: "KIND" },
      { header: "STATUS" },
      { header: "ATTEMPT", align: "right" },
      { header: "CREATED" },
      { header: "WAITING ON / ERROR", max: 60 },
    ],
    runs.map((run) => [
      run.id,
      `${run.service}/${run.component}`,
      run.kind,
      run.status,
      String(run.attempt),
      age(run.createdAt, now),
      run.error ? `${run.error.code}: ${run.error.message}` : (run.waitingOn ?? ""),
    ]),
  );
}

/** One line after an action: "Run abc: paused (workflow orders/checkout)". */
export function renderRunLine(run: RunSummary): string {
  const waiting = run.waitingOn ? `, waiting on ${run.waitingOn}` : "";
  const error = run.error ? `, ${run.error.code}: ${run.error.message}` : "";
  return `Run ${run.id}: ${run.status} (${run.kind} ${run.service}/${run.component}, attempt ${run.attempt}${waiting}${error})`;
}

/** `agnt5 runs show`: summary, then one section per non-empty part of the run. */
export function renderRunDetail(run: RunDetail, now = Date.now()): string {
  const sections: string[] = [renderSummary(run, now)];
  if (run.timeline.length > 0) sections.push(`Timeline\n${indent(renderTimeline(run))}`);
  if (run.waits.length > 0) {
    sections.push(
      `Waiting on\n${indent(
        renderTable(
          [
            { header: "#", align: "right" },
            { header: "KIND" },
            { header: "NAME" },
            { header: "SINCE" },
            { header: "UNTIL" },
          ],
          run.waits.map((wait) => [String(wait.index), wait.kind, wait.name, age(wait.since, now), clock(wait.until)]),
        ),
      )}`,
    );
  }
  if (run.pendingApprovals.length > 0) {
    sections.push(
      `Pending approvals\n${indent(
        renderTable(
          [
            { header: "NAME" },
            { header: "SINCE" },
            { header: "TIMEOUT" },
            { header: "ROLES" },
            { header: "PAYLOAD", max: 70 },
          ],
          run.pendingApprovals.map((approval) => [
            approval.name,
            age(approval.since, now),
            clock(approval.timeoutAt),
            approval.requiredRoles.join(",") || "-",
            jsonCell(approval.payload, 70),
          ]),
        ),
      )}\n  Decide: npm run agnt5 -- runs approve ${run.id} <name> --by <you>   (or runs reject)`,
    );
  }
  if (run.modelCalls.length > 0) {
    const { totals } = run;
    sections.push(
      `Model calls (${totals.modelCalls}; ${count(totals.inputTokens)} tokens in, ${count(totals.outputTokens)} out)\n${indent(
        renderTable(
          [
            { header: "#", align: "right" },
            { header: "NAME" },
            { header: "MODEL" },
            { header: "IN", align: "right" },
            { header: "OUT", align: "right" },
            { header: "LATENCY", align: "right" },
            { header: "ANSWER", max: 50 },
          ],
          run.modelCalls.map((call) => [
            String(call.index),
            call.name,
            call.model ?? "-",
            count(call.inputTokens),
            count(call.outputTokens),
            duration(call.latencyMs),
            jsonCell(call.answer, 50),
          ]),
        ),
      )}`,
    );
  }
  if (run.toolCalls.length > 0) {
    sections.push(
      `Tool calls\n${indent(
        renderTable(
          [
            { header: "#", align: "right" },
            { header: "TOOL" },
            { header: "ARGUMENTS", max: 50 },
            { header: "RESULT / ERROR", max: 50 },
          ],
          run.toolCalls.map((call) => [
            String(call.index),
            call.tool,
            jsonCell(call.arguments, 50),
            call.error ? `${call.error.code}: ${call.error.message}` : jsonCell(call.result, 50),
          ]),
        ),
      )}`,
    );
  }
  if (run.children.length > 0) sections.push(`Children\n${indent(renderRunList(run.children, now))}`);
  return sections.join("\n\n");
}

function renderSummary(run: RunDetail, now: number): string {
  const ended = run.completedAt ? Date.parse(run.completedAt) : now;
  const rows: [string, string][] = [
    ["Run", run.id],
    ["Component", `${run.service}/${run.component} (${run.kind})`],
    ["Status", `${run.status}${run.attempt > 1 ? ` (attempt ${run.attempt})` : ""}`],
    ["Created", `${clock(run.createdAt)} (${age(run.createdAt, now)})`],
    run.completedAt
      ? ["Completed", `${clock(run.completedAt)} (took ${duration(ended - Date.parse(run.createdAt))})`]
      : ["Running for", duration(now - Date.parse(run.createdAt))],
  ];
  if (run.parent) rows.push(["Parent", `${run.parent.id} (${run.parent.service}/${run.parent.component})`]);
  else if (run.parentId) rows.push(["Parent", run.parentId]);
  if (run.waitingOn) rows.push(["Waiting on", run.waitingOn]);
  if (run.error) rows.push(["Error", `${run.error.code}: ${run.error.message}`]);
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = rows.map(([label, value]) => `${`${label}:`.padEnd(width + 2)}${value}`);
  lines.push(`Input:\n${jsonBlock(run.input)}`);
  if (run.status === "completed" || (run.output !== undefined && run.output !== null)) {
    lines.push(`Output:\n${jsonBlock(run.output)}`);
  }
  return lines.join("\n");
}

function renderTimeline(run: RunDetail): string {
  return renderTable(
    [
      { header: "#", align: "right" },
      { header: "KIND" },
      { header: "NAME", max: 40 },
      { header: "STATUS" },
      { header: "STARTED" },
      { header: "DURATION", align: "right" },
      { header: "ATTEMPTS", align: "right" },
      { header: "RESULT / ERROR", max: 50 },
    ],
    run.timeline.map((entry) => [
      String(entry.index),
      entry.kind,
      entry.name,
      entry.status,
      clock(entry.startedAt),
      duration(entry.durationMs),
      String(entry.attempts),
      entry.error
        ? `${entry.error.code}: ${entry.error.message}`
        : entry.childRunId
          ? `run ${entry.childRunId}`
          : entry.status === "completed"
            ? jsonCell(entry.result, 50)
            : "-",
    ]),
  );
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `  ${line}`)
    .join("\n");
}
