import { FlowDefinition, registerWorkflow, taskStep, waitSignalStep, waitTimerStep } from "@agnt5/flows";
import { docService, etlService } from "./handlers.js";

// The seed's cron is "0 3 * * *" (3 AM). AGNT5_EXAMPLE_CRON="* * * * *" waits for the next minute instead.
const maintenanceCron = process.env.AGNT5_EXAMPLE_CRON ?? "0 3 * * *";
// The seed's 48 hours; AGNT5_EXAMPLE_APPROVAL_TIMEOUT_MS=10000 lets you watch the escalation path.
const approvalTimeoutMs = Number(process.env.AGNT5_EXAMPLE_APPROVAL_TIMEOUT_MS ?? 172_800_000);

const etl = (name: string, handlerName: string, dependencies: string[] = []) =>
  taskStep({ name, serviceName: "etl-service", handlerName, dependencies });

/** The seed's ETL pipeline: validate, three parallel extracts, merge, clean, enrich, wait for 3 AM, load, report. */
export const nightlyEtl = registerWorkflow(
  "nightly_etl",
  new FlowDefinition([
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
      cronExpr: maintenanceCron,
      dependencies: ["enrich_data"],
    }),
    etl("load_to_warehouse", "load_data_warehouse", ["wait_for_maintenance_window"]),
    taskStep({
      name: "generate_reports",
      serviceName: "reporting-service",
      handlerName: "generate_daily_reports",
      dependencies: ["load_to_warehouse"],
    }),
  ]),
  { registry: etlService },
);

/** The seed's approval workflow: a 48 h wait for approval, escalating to a manager when it times out. */
export const documentApproval = registerWorkflow(
  "document_approval",
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
      timeoutMs: approvalTimeoutMs,
      onTimeout: "escalate_approval",
    }),
    // No dependencies: reached only when the wait above times out.
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
  ]),
  { registry: docService },
);
