import { FlowDefinition } from "../model/flow-definition.js";
import { taskStep, waitSignalStep, waitTimerStep } from "../model/step-helpers.js";

/** The flows of the seed's "Workflows" section, written with this package's API. */
export const dataPipeline = () =>
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

export const parallelProcessing = () =>
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

export const nightlyEtl = (timezone = "UTC") =>
  new FlowDefinition([
    taskStep({ name: "validate_sources", serviceName: "etl-service", handlerName: "validate_data_sources" }),
    taskStep({
      name: "extract_database",
      serviceName: "etl-service",
      handlerName: "extract_from_database",
      dependencies: ["validate_sources"],
    }),
    taskStep({
      name: "extract_api",
      serviceName: "etl-service",
      handlerName: "extract_from_api",
      dependencies: ["validate_sources"],
    }),
    taskStep({
      name: "extract_files",
      serviceName: "etl-service",
      handlerName: "extract_from_files",
      dependencies: ["validate_sources"],
    }),
    taskStep({
      name: "merge_extracted_data",
      serviceName: "etl-service",
      handlerName: "merge_data",
      dependencies: ["extract_database", "extract_api", "extract_files"],
    }),
    taskStep({
      name: "clean_data",
      serviceName: "etl-service",
      handlerName: "clean_and_normalize",
      dependencies: ["merge_extracted_data"],
    }),
    taskStep({
      name: "enrich_data",
      serviceName: "etl-service",
      handlerName: "enrich_with_metadata",
      dependencies: ["clean_data"],
    }),
    waitTimerStep({
      name: "wait_for_maintenance_window",
      timerKey: "maintenance",
      cronExpr: "0 3 * * *",
      timezone,
      dependencies: ["enrich_data"],
    }),
    taskStep({
      name: "load_to_warehouse",
      serviceName: "etl-service",
      handlerName: "load_data_warehouse",
      dependencies: ["wait_for_maintenance_window"],
    }),
    taskStep({
      name: "generate_reports",
      serviceName: "reporting-service",
      handlerName: "generate_daily_reports",
      dependencies: ["load_to_warehouse"],
    }),
  ]);

export const documentApproval = () =>
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
      timeoutMs: 172_800_000,
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
    taskStep({
      name: "publish_document",
      serviceName: "doc-service",
      handlerName: "publish_approved_document",
      dependencies: ["wait_for_approval", "wait_escalated_approval"],
    }),
  ]);
