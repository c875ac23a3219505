/**
 * The flows of the seed's "Workflows" section, once: the example service, this package's tests and
 * the end-to-end worker all build them from here (`@agnt5/flows/seed`), so a change to the seed's
 * graph is made in one place. Each function returns a new FlowDefinition; the options are the
 * knobs the example and the tests turn (a cron that fires soon, a short approval wait).
 */
import { FlowDefinition } from "../model/flow-definition.js";
import { taskStep, waitSignalStep, waitTimerStep } from "../model/step-helpers.js";

/** The seed's 48 hours for the first approval. */
export const SEED_APPROVAL_TIMEOUT_MS = 172_800_000;
/** The seed's maintenance window: 3 AM. */
export const SEED_MAINTENANCE_CRON = "0 3 * * *";

/** extract → transform → load on etl-service. */
export const dataPipeline = (): FlowDefinition =>
  new FlowDefinition([
    taskStep({ name: "extract", serviceName: "etl-service", handlerName: "extract_data" }),
    taskStep({
      name: "transform",
      serviceName: "etl-service",
      handlerName: "transform_data",
      dependencies: ["extract"],
    }),
    taskStep({ name: "load", serviceName: "etl-service", handlerName: "load_data", dependencies: ["transform"] }),
  ]);

/** Three independent steps, then a merge that depends on all three. */
export const parallelProcessing = (): FlowDefinition =>
  new FlowDefinition([
    taskStep({ name: "process_a", serviceName: "service", handlerName: "process_type_a" }),
    taskStep({ name: "process_b", serviceName: "service", handlerName: "process_type_b" }),
    taskStep({ name: "process_c", serviceName: "service", handlerName: "process_type_c" }),
    taskStep({
      name: "merge_results",
      serviceName: "service",
      handlerName: "merge_results",
      dependencies: ["process_a", "process_b", "process_c"],
    }),
  ]);

export interface NightlyEtlOptions {
  /** The maintenance window's cron (default the seed's 3 AM). */
  cronExpr?: string;
  /** The cron's time zone; left out of the definition when not given. */
  timezone?: string;
}

/** Validate, three parallel extracts, merge, clean, enrich, wait for the maintenance window, load, report. */
export const nightlyEtl = (options: NightlyEtlOptions = {}): FlowDefinition => {
  const etl = (name: string, handlerName: string, dependencies: string[] = []) =>
    taskStep({ name, serviceName: "etl-service", handlerName, dependencies });
  return new FlowDefinition([
    etl("validate_sources", "validate_data_sources"),
    etl("extract_database", "extract_from_database", ["validate_sources"]),
    etl("extract_api", "extract_from_api", ["validate_sources"]),
    etl("extract_files", "extract_from_files", ["validate_sources"]),
    etl("merge_extracted_data", "merge_data", ["extract_database", "extract_api", "extract_files"]),
    etl("clean_data", "clean_and_normalize", ["merge_extracted_data"]),
    etl("enrich_data", "enrich_with_metadata", ["clean_data"]),
    waitTimerStep({
      name: "wait_for_maintenance_window",
      timerKey: "maintenance",
      cronExpr: options.cronExpr ?? SEED_MAINTENANCE_CRON,
      ...(options.timezone === undefined ? {} : { timezone: options.timezone }),
      dependencies: ["enrich_data"],
    }),
    etl("load_to_warehouse", "load_data_warehouse", ["wait_for_maintenance_window"]),
    taskStep({
      name: "generate_reports",
      serviceName: "reporting-service",
      handlerName: "generate_daily_reports",
      dependencies: ["load_to_warehouse"],
    }),
  ]);
};

export interface DocumentApprovalOptions {
  /** How long the first approval waits before escalating (default the seed's 48 hours). */
  approvalTimeoutMs?: number;
}

/** Submit, notify, wait for approval; when that wait times out, escalate and wait again; then publish. */
export const documentApproval = (options: DocumentApprovalOptions = {}): FlowDefinition =>
  new FlowDefinition([
    taskStep({
      name: "submit_document",
      serviceName: "doc-service",
      handlerName: "submit_for_review",
      inputData: { priority: "normal" },
    }),
    taskStep({
      name: "notify_reviewers",
      serviceName: "notification-service",
      handlerName: "send_review_notifications",
      dependencies: ["submit_document"],
    }),
    waitSignalStep({
      name: "wait_for_approval",
      signalName: "document_approved",
      dependencies: ["notify_reviewers"],
      timeoutMs: options.approvalTimeoutMs ?? SEED_APPROVAL_TIMEOUT_MS,
      onTimeout: "escalate_approval",
    }),
    // No dependencies: reached only through the wait's timeout.
    taskStep({ name: "escalate_approval", serviceName: "doc-service", handlerName: "escalate_to_manager" }),
    waitSignalStep({
      name: "wait_escalated_approval",
      signalName: "escalated_approval",
      dependencies: ["escalate_approval"],
      timeoutMs: 86_400_000,
    }),
    // Runs after whichever approval branch was taken.
    taskStep({
      name: "publish_document",
      serviceName: "doc-service",
      handlerName: "publish_approved_document",
      dependencies: ["wait_for_approval", "wait_escalated_approval"],
    }),
  ]);
