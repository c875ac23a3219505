import { type AnyWorkflowDefinition, defaultRegistry, workflow as defineWorkflow, type Registry } from "@agnt5/core";
import type { FlowDefinition } from "../model/flow-definition.js";
import { createObjectLockEntity, FLOW_OBJECT_ENTITY } from "./object-lock.js";
import { runFlow } from "./run-flow.js";

export interface FlowWorkflowOptions {
  description?: string;
  /** Registry the workflow (and, for objectKeys, the lock entity) joins; false: none. Default: the global one. */
  registry?: Registry | false;
}

/** What a flow workflow adds to the workflow metadata a worker registers: its graph. */
export interface FlowMetadata {
  flow: ReturnType<FlowDefinition["toDict"]>;
}

/**
 * An ordinary durable workflow whose handler interprets `flow` (validated first): a Worker hosts it
 * like any workflow, `POST /v1/workflows/<name>/runs` starts it, and the run routes, journal,
 * suspension, recovery and cancellation apply unchanged. Its metadata carries the graph (`flow`),
 * so the coordinator lists it and derives step states from it.
 */
export function flowWorkflow(
  name: string,
  flow: FlowDefinition,
  options: FlowWorkflowOptions = {},
): AnyWorkflowDefinition {
  flow.validate(name);
  const registry = options.registry ?? defaultRegistry;
  // A rest parameter: the runtime then passes the run input as it is (no binding by parameter name).
  const definition = defineWorkflow(
    { name, registry, ...(options.description ? { description: options.description } : {}) },
    (ctx, ...args: unknown[]) => runFlow(ctx, flow, args[0]),
  );
  // The metadata object is the definition's own: adding the graph here keeps @agnt5/core unaware of flows.
  Object.assign(definition.metadata, { flow: flow.toDict() } satisfies FlowMetadata);
  if (registry && flow.steps.some((step) => step.objectKeys?.length) && !registry.get(FLOW_OBJECT_ENTITY)) {
    createObjectLockEntity(registry);
  }
  return definition;
}
