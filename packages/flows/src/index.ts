/**
 * @agnt5/flows: declarative workflows (the seed's FlowDefinition). A flow is a list of task,
 * signal-wait and timer steps with dependencies; workflow()/registerWorkflow() validate it and
 * define an ordinary durable workflow that runs it, which a Worker hosts like any other.
 *
 * @example
 * import { FlowDefinition, taskStep, workflow } from "@agnt5/flows";
 *
 * workflow(function data_pipeline() {
 *   return new FlowDefinition([
 *     taskStep({ name: "extract", serviceName: "etl-service", handlerName: "extract_data" }),
 *     taskStep({ name: "load", serviceName: "etl-service", handlerName: "load_data", dependencies: ["extract"] }),
 *   ]);
 * });
 */
export { FlowStepFailedError } from "./execution/flow-errors.js";
export { type FlowMetadata, type FlowWorkflowOptions, flowWorkflow } from "./execution/flow-workflow.js";
export { FLOW_OBJECT_ENTITY } from "./execution/object-lock.js";
export { runFlow } from "./execution/run-flow.js";
export {
  type FinalStepState,
  FLOW_ENTRY,
  type FlowRunOutput,
  type FlowTaskInput,
  type StepRecord,
  type StepState,
} from "./execution/step-record.js";
export { FlowDefinition, type FlowDefinitionDictOut } from "./model/flow-definition.js";
export { type FlowDefinitionDict, FlowDefinitionSchema, WorkflowStepSchema } from "./model/flow-schema.js";
export {
  SignalConfig,
  type SignalConfigInit,
  StepType,
  TimerConfig,
  type TimerConfigInit,
  WorkflowStep,
  type WorkflowStepDict,
  type WorkflowStepInit,
} from "./model/step.js";
export {
  type TaskStepOptions,
  taskStep,
  type WaitSignalStepOptions,
  type WaitTimerStepOptions,
  waitSignalStep,
  waitTimerStep,
} from "./model/step-helpers.js";
export {
  clearRegisteredWorkflows,
  type FlowFactory,
  getRegisteredWorkflows,
  type RegisteredFlow,
  type RegisterWorkflowOptions,
  registerWorkflow,
  workflow,
} from "./registry/flow-registry.js";
export { type FlowProblem, type FlowRule, FlowValidationError } from "./validation/flow-validation-error.js";
export { flowProblems } from "./validation/validate-flow.js";
