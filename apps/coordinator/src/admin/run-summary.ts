import type { RunKind, RunStatus, RunSummary } from "@agnt5/admin-client";
import type { ServiceRegistry } from "../workers/service-registry.js";
import type { OpenEntryRow } from "./queries/journal-rows.js";
import type { RunRow } from "./queries/run-rows.js";

/** What the admin module reads of the engine: the in-memory status of runs it holds. */
export interface LiveStatusSource {
  liveStatus(id: string): { status: string } | undefined;
}

const TERMINAL = new Set(["completed", "failed", "cancelled"]);

/**
 * The run's status: the store's, "paused" while an operator has paused it, refined by the engine's
 * in-memory view while the run is held (a dispatched run is "running" there before the store
 * records it; "waiting" is "suspended").
 */
export function runStatusOf(row: Pick<RunRow, "id" | "status" | "paused">, live: LiveStatusSource): RunStatus {
  if (TERMINAL.has(row.status)) return row.status as RunStatus;
  if (row.paused) return "paused";
  const current = live.liveStatus(row.id)?.status;
  if (current === "running" || current === "pending") return current;
  if (current === "waiting") return "suspended";
  return row.status as RunStatus;
}

/**
 * The run's kind: agents and entities by how they were started; a workflow registered as a flow
 * (component metadata `{ flow: ... }` or `{ kind: "flow" }`) is a "flow"; a tool is a "function".
 */
export function runKindOf(row: Pick<RunRow, "kind" | "service" | "handler">, services: ServiceRegistry): RunKind {
  const component = services.get(row.service)?.components.get(row.handler);
  if (component && isFlowComponent(component.metadata)) return "flow";
  if (component?.kind === "agent" || row.kind === "agent") return "agent";
  if (row.kind === "workflow" || row.kind === "entity") return row.kind;
  return "function";
}

export function isFlowComponent(metadata: unknown): boolean {
  if (typeof metadata !== "object" || metadata === null) return false;
  const m = metadata as { flow?: unknown; kind?: unknown };
  return m.flow !== undefined || m.kind === "flow";
}

/** "signal approval:send_email", "timer until 2026-12-02T12:00:00.000Z", "call inv_1.3", ... joined by ", ". */
export function waitingOnText(open: readonly OpenEntryRow[]): string | null {
  const parts = open.map((entry) => {
    if (entry.kind === "timer") return `timer until ${entry.fire_at?.toISOString() ?? "?"}`;
    if (entry.kind === "signal_wait") {
      const timeout = entry.fire_at ? ` (timeout ${entry.fire_at.toISOString()})` : "";
      return `signal ${entry.name}${timeout}`;
    }
    if (entry.kind === "call") return `call ${entry.child_id ?? entry.name}`;
    return `${entry.kind} ${entry.name}`;
  });
  return parts.length > 0 ? parts.join(", ") : null;
}

/** The component name shown for a run: an entity call is "<type>.<method>". */
function componentOf(row: RunRow): string {
  return row.kind === "entity" && row.method_name ? `${row.handler}.${row.method_name}` : row.handler;
}

export function toRunSummary(
  row: RunRow,
  deps: { live: LiveStatusSource; services: ServiceRegistry },
  waitingOn: string | null,
): RunSummary {
  const status = runStatusOf(row, deps.live);
  return {
    id: row.id,
    service: row.service,
    component: componentOf(row),
    kind: runKindOf(row, deps.services),
    status,
    attempt: row.attempt,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    completedAt: row.completed_at?.toISOString() ?? null,
    parentId: row.parent_id,
    waitingOn: TERMINAL.has(status) ? null : waitingOn,
    // A failed run's error; while a run is retried its last error is kept too (it says why).
    error: row.error ? { code: row.error.code, message: row.error.message } : null,
  };
}
