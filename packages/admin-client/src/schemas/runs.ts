import { z } from "zod";
import { ErrorInfo, PageLimit, Timestamp } from "./common.js";

export const RunStatus = z.enum(["pending", "running", "suspended", "paused", "completed", "failed", "cancelled"]);
export type RunStatus = z.infer<typeof RunStatus>;

/** Statuses after which a run never changes again. */
export const FINISHED_RUN_STATUSES: readonly RunStatus[] = ["completed", "failed", "cancelled"];

export const RunKind = z.enum(["function", "workflow", "entity", "agent", "flow"]);
export type RunKind = z.infer<typeof RunKind>;

export const RunSummary = z.object({
  id: z.string(),
  service: z.string(),
  component: z.string(),
  kind: RunKind,
  status: RunStatus,
  /** Attempt number of the run as a whole (1 for a run never retried by the coordinator). */
  attempt: z.number().int(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  completedAt: Timestamp.nullable(),
  parentId: z.string().nullable(),
  /** A human summary of what the run waits on, e.g. "signal approval:send_email" or "timer until 2026-12-02T12:00:00.000Z". */
  waitingOn: z.string().nullable(),
  error: ErrorInfo.nullable(),
});
export type RunSummary = z.infer<typeof RunSummary>;

/**
 * Query of `GET /admin/v1/runs`. Every field is optional text as it arrives in a URL; `status`
 * may list several statuses separated by commas; `since`/`until` bound `createdAt` (inclusive /
 * exclusive); `cursor` is the `nextCursor` of the previous page.
 */
export const RunListQuery = z.object({
  status: z.string().optional().describe("One or more run statuses, comma-separated (failed,cancelled)"),
  service: z.string().optional().describe("The service's name"),
  component: z.string().optional().describe("The function, workflow, agent or entity type"),
  kind: RunKind.optional().describe("The run's kind"),
  since: Timestamp.optional().describe("Runs created at or after this time"),
  until: Timestamp.optional().describe("Runs created before this time"),
  idPrefix: z.string().optional().describe("Run ids starting with this text (a child's id starts with its parent's)"),
  parentId: z.string().optional().describe("The children of this run"),
  limit: PageLimit.optional().describe("Page size (default 50)"),
  cursor: z.string().optional().describe("The nextCursor of the previous page"),
});
export type RunListQuery = z.input<typeof RunListQuery>;

export const RunListResponse = z.object({
  /** Newest first (by createdAt, then id). */
  runs: z.array(RunSummary),
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: z.string().nullable(),
});
export type RunListResponse = z.infer<typeof RunListResponse>;
