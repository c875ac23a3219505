import type { RunSummary } from "@agnt5/admin-client";
import type { Queryable } from "../store/index.js";
import type { ServiceRegistry } from "../workers/service-registry.js";
import { type OpenEntryRow, openEntryRows } from "./queries/journal-rows.js";
import type { RunRow } from "./queries/run-rows.js";
import { type LiveStatusSource, toRunSummary, waitingOnText } from "./run-summary.js";

export interface SummaryDeps {
  db: Queryable;
  live: LiveStatusSource;
  services: ServiceRegistry;
}

/** Summaries of several runs, with what each waits on (one query for all their open entries). */
export async function runSummaries(deps: SummaryDeps, rows: readonly RunRow[]): Promise<RunSummary[]> {
  const unfinished = rows.filter((r) => !["completed", "failed", "cancelled"].includes(r.status)).map((r) => r.id);
  const open = new Map<string, OpenEntryRow[]>();
  for (const entry of await openEntryRows(deps.db, unfinished)) {
    open.set(entry.invocation_id, [...(open.get(entry.invocation_id) ?? []), entry]);
  }
  return rows.map((row) => toRunSummary(row, deps, waitingOnText(open.get(row.id) ?? [])));
}
