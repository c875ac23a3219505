import type { AnyWorkflowDefinition, Registry } from "@agnt5/core";
import { flowWorkflow } from "../execution/flow-workflow.js";
import type { FlowDefinition } from "../model/flow-definition.js";
import { FlowValidationError } from "../validation/flow-validation-error.js";

/** A registered flow: its definition and the durable workflow that runs it. */
export interface RegisteredFlow {
  name: string;
  definition: FlowDefinition;
  workflow: AnyWorkflowDefinition;
}

const flows = new Map<string, RegisteredFlow>();

export interface RegisterWorkflowOptions {
  description?: string;
  /** The @agnt5/core registry a Worker hosts; default: the global one. */
  registry?: Registry | false;
}

/**
 * Registers `definition` under `name` (the seed's register_workflow): validates it (throwing
 * FlowValidationError with every problem), then defines the durable workflow that runs it in the
 * component registry, so a Worker started afterwards hosts it. A later registration of the same
 * name replaces the earlier one (as the component registry does).
 */
export function registerWorkflow(
  name: string,
  definition: FlowDefinition,
  options: RegisterWorkflowOptions = {},
): AnyWorkflowDefinition {
  const workflow = flowWorkflow(name, definition, options);
  flows.set(name, { name, definition, workflow });
  return workflow;
}

/** A factory of a flow; its function name is the workflow name unless one is given. */
export type FlowFactory = () => FlowDefinition;

/**
 * The seed's `@workflow()` on a factory: `workflow(function nightly_etl() { return new
 * FlowDefinition([...]) })` or `workflow("custom_name", () => new FlowDefinition([...]))`. Calls the
 * factory once, validates and registers the flow, and returns the durable workflow.
 */
export function workflow(factory: FlowFactory, options?: RegisterWorkflowOptions): AnyWorkflowDefinition;
export function workflow(name: string, factory: FlowFactory, options?: RegisterWorkflowOptions): AnyWorkflowDefinition;
export function workflow(
  first: string | FlowFactory,
  second?: FlowFactory | RegisterWorkflowOptions,
  third?: RegisterWorkflowOptions,
): AnyWorkflowDefinition {
  const factory = typeof first === "function" ? first : (second as FlowFactory | undefined);
  const options = (typeof first === "function" ? second : third) as RegisterWorkflowOptions | undefined;
  const name = typeof first === "string" ? first : factory?.name;
  if (typeof factory !== "function") {
    throw new FlowValidationError(typeof first === "string" ? first : undefined, [
      { step: undefined, rule: "schema", message: "workflow() needs a factory function returning a FlowDefinition" },
    ]);
  }
  if (!name) {
    throw new FlowValidationError(undefined, [
      { step: undefined, rule: "schema", message: "a flow needs a name: workflow(name, factory) or a named factory" },
    ]);
  }
  return registerWorkflow(name, factory(), options);
}

/** Every registered flow by name (the seed's get_registered_workflows()). */
export function getRegisteredWorkflows(): Record<string, RegisteredFlow> {
  return Object.fromEntries(flows);
}

/** Forgets every registered flow (tests). The component registry is cleared with clearRegistry(). */
export function clearRegisteredWorkflows(): void {
  flows.clear();
}
