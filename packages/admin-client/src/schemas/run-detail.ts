import { z } from "zod";
import { ErrorInfo, Timestamp } from "./common.js";
import { RunSummary } from "./runs.js";

/**
 * One journal entry of a run. `kind` is the journal entry kind ("step", "deterministic",
 * "timer", "signal_wait", "signal_emit", "call"; later kinds pass through as text).
 * `attempts` counts the executions of the entry: 1 for an entry that completed or failed on its
 * first execution, more when the run was re-dispatched (worker lost, retried) while it was open.
 */
export const TimelineEntry = z.object({
  index: z.number().int(),
  kind: z.string(),
  name: z.string(),
  status: z.enum(["running", "waiting", "completed", "failed"]),
  startedAt: Timestamp,
  completedAt: Timestamp.nullable(),
  durationMs: z.number().nullable(),
  attempts: z.number().int(),
  request: z.unknown(),
  result: z.unknown(),
  error: ErrorInfo.nullable(),
  childRunId: z.string().nullable(),
});
export type TimelineEntry = z.infer<typeof TimelineEntry>;

/** A model call recorded by `@agnt5/llm` (journal steps named `llm:*` or `*:model*` whose result has `usage`). */
export const ModelCall = z.object({
  index: z.number().int(),
  name: z.string(),
  model: z.string().nullable(),
  inputTokens: z.number().nullable(),
  outputTokens: z.number().nullable(),
  latencyMs: z.number().nullable(),
  /** The request messages, when the journal recorded them. */
  prompt: z.unknown(),
  answer: z.unknown(),
});
export type ModelCall = z.infer<typeof ModelCall>;

export const ToolCall = z.object({
  index: z.number().int(),
  tool: z.string(),
  arguments: z.unknown(),
  result: z.unknown(),
  error: ErrorInfo.nullable(),
});
export type ToolCall = z.infer<typeof ToolCall>;

/** An open `ctx.human.approval(name, ...)`: decide it with `POST /runs/:runId/approvals/:name`. */
export const PendingApproval = z.object({
  index: z.number().int(),
  /** Without the "approval:" prefix of the signal name. */
  name: z.string(),
  payload: z.unknown(),
  requiredRoles: z.array(z.string()),
  since: Timestamp,
  timeoutAt: Timestamp.nullable(),
});
export type PendingApproval = z.infer<typeof PendingApproval>;

export const Wait = z.object({
  index: z.number().int(),
  kind: z.enum(["signal", "timer", "call", "approval"]),
  name: z.string(),
  since: Timestamp,
  until: Timestamp.nullable(),
});
export type Wait = z.infer<typeof Wait>;

export const RunTotals = z.object({
  modelCalls: z.number().int(),
  inputTokens: z.number(),
  outputTokens: z.number(),
});
export type RunTotals = z.infer<typeof RunTotals>;

export const RunDetail = RunSummary.extend({
  input: z.unknown(),
  output: z.unknown(),
  headers: z.record(z.string(), z.string()),
  timeline: z.array(TimelineEntry),
  waits: z.array(Wait),
  modelCalls: z.array(ModelCall),
  toolCalls: z.array(ToolCall),
  pendingApprovals: z.array(PendingApproval),
  children: z.array(RunSummary),
  parent: RunSummary.nullable(),
  totals: RunTotals,
});
export type RunDetail = z.infer<typeof RunDetail>;
