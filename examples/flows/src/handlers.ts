import type { FlowTaskInput } from "@agnt5/flows";
import { fn, Registry } from "@agnt5/sdk";

/**
 * The task handlers the seed's flows call, one registry per service (this example runs the four
 * services in one process; in production each is its own deployment). A task handler receives
 * `{ runInput, inputData, deps, upstream }`: the run's input, the step's inputData, its direct
 * dependencies' outputs, and the outputs of every completed step upstream of it.
 */
export const etlService = new Registry();
export const reportingService = new Registry();
export const docService = new Registry();
export const notificationService = new Registry();

type Task = FlowTaskInput<{ date?: string; document?: string } | null>;

const etl = (name: string, handler: (input: Task) => unknown) =>
  fn({ name, registry: etlService }, async (task: Task) => handler(task));

etl("validate_data_sources", () => ({ sources: ["database", "api", "files"], ok: true }));
etl("extract_from_database", () => ({ source: "database", rows: 120 }));
etl("extract_from_api", () => ({ source: "api", rows: 45 }));
etl("extract_from_files", () => ({ source: "files", rows: 8 }));
etl("merge_data", ({ deps }) => ({
  rows: Object.values(deps).reduce((sum: number, d) => sum + (d as { rows: number }).rows, 0),
}));
etl("clean_and_normalize", ({ deps }) => ({ rows: (deps.merge_extracted_data as { rows: number }).rows - 3 }));
etl("enrich_with_metadata", ({ deps, runInput }) => ({
  rows: (deps.clean_data as { rows: number }).rows,
  batch: runInput?.date ?? "today",
}));
// Its dependency is the maintenance timer; the enriched data comes from `upstream`.
etl("load_data_warehouse", ({ upstream }) => ({ loaded: (upstream.enrich_data as { rows: number }).rows }));

fn({ name: "generate_daily_reports", registry: reportingService }, async ({ deps }: Task) => ({
  reports: ["sales", "inventory"],
  loaded: deps.load_to_warehouse,
}));

fn({ name: "submit_for_review", registry: docService }, async ({ runInput, inputData }: Task) => ({
  document: runInput?.document ?? "untitled",
  ...(inputData as object),
}));
fn({ name: "escalate_to_manager", registry: docService }, async () => ({ escalatedTo: "manager@example.com" }));
fn({ name: "publish_approved_document", registry: docService }, async ({ deps }: Task) => ({
  published: true,
  approval: deps.wait_for_approval ?? deps.wait_escalated_approval,
}));

fn({ name: "send_review_notifications", registry: notificationService }, async ({ deps }: Task) => ({
  notified: ["reviewer@example.com"],
  document: (deps.submit_document as { document: string }).document,
}));
