import type { AgentComponentDefinition, AgentComponentMetadata } from "./agent-component.js";
import type { AnyEntityDefinition, EntityMetadata } from "./entity.js";
import { ComponentNotFoundError } from "./errors.js";
import type { AnyFunctionDefinition, FunctionMetadata } from "./function.js";
import type { AnyWorkflowDefinition, WorkflowMetadata } from "./workflow.js";

/** Anything a worker can host. Tools join this union as they arrive. */
export type ComponentDefinition =
  | AnyFunctionDefinition
  | AnyWorkflowDefinition
  | AnyEntityDefinition
  | AgentComponentDefinition;

export type ComponentMetadata = FunctionMetadata | WorkflowMetadata | EntityMetadata | AgentComponentMetadata;

/**
 * Components by name. `fn(...)` adds to the global `defaultRegistry` (as the seed's decorators do);
 * a Worker hosts every component of the registry it is given. A later definition with the same
 * name replaces the earlier one (re-evaluated modules in watch mode must not fail).
 */
export class Registry {
  readonly #components = new Map<string, ComponentDefinition>();

  register(component: ComponentDefinition): void {
    this.#components.set(component.name, component);
  }

  get(name: string): ComponentDefinition | undefined {
    return this.#components.get(name);
  }

  /** Like get, but throws ComponentNotFoundError naming what is registered. */
  require(name: string): ComponentDefinition {
    const component = this.#components.get(name);
    if (!component) throw new ComponentNotFoundError(name, [...this.#components.keys()]);
    return component;
  }

  list(): ComponentDefinition[] {
    return [...this.#components.values()];
  }

  functions(): Record<string, AnyFunctionDefinition> {
    return Object.fromEntries(
      this.list()
        .filter((c): c is AnyFunctionDefinition => c.kind === "function")
        .map((c) => [c.name, c]),
    );
  }

  workflows(): Record<string, AnyWorkflowDefinition> {
    return Object.fromEntries(
      this.list()
        .filter((c): c is AnyWorkflowDefinition => c.kind === "workflow")
        .map((c) => [c.name, c]),
    );
  }

  /** Entity definitions by type name. */
  entities(): Record<string, AnyEntityDefinition> {
    return Object.fromEntries(
      this.list()
        .filter((c): c is AnyEntityDefinition => c.kind === "entity")
        .map((c) => [c.name, c]),
    );
  }

  /** Agents hosted as components (registerAgent in @agnt5/adk), by name. */
  agents(): Record<string, AgentComponentDefinition> {
    return Object.fromEntries(
      this.list()
        .filter((c): c is AgentComponentDefinition => c.kind === "agent")
        .map((c) => [c.name, c]),
    );
  }

  clear(): void {
    this.#components.clear();
  }

  get size(): number {
    return this.#components.size;
  }
}

export const defaultRegistry = new Registry();

/** The seed's get_registered_functions(): name -> definition. */
export function getRegisteredFunctions(registry: Registry = defaultRegistry): Record<string, AnyFunctionDefinition> {
  return registry.functions();
}

/** The seed's get_registered_workflows(): name -> definition. */
export function getRegisteredWorkflows(registry: Registry = defaultRegistry): Record<string, AnyWorkflowDefinition> {
  return registry.workflows();
}

/** Entity types by name (the counterpart of get_registered_functions() for entities). */
export function getRegisteredEntities(registry: Registry = defaultRegistry): Record<string, AnyEntityDefinition> {
  return registry.entities();
}

/** The seed's clear_registry(), useful between tests. */
export function clearRegistry(registry: Registry = defaultRegistry): void {
  registry.clear();
}

/** The seed's get_function_metadata(), by definition or by registered name (a workflow's too). */
export function getFunctionMetadata(target: AnyFunctionDefinition, registry?: Registry): FunctionMetadata;
export function getFunctionMetadata(target: AnyWorkflowDefinition, registry?: Registry): WorkflowMetadata;
export function getFunctionMetadata(target: AnyEntityDefinition, registry?: Registry): EntityMetadata;
export function getFunctionMetadata(target: string, registry?: Registry): ComponentMetadata;
export function getFunctionMetadata(
  target: ComponentDefinition | string,
  registry: Registry = defaultRegistry,
): ComponentMetadata {
  const definition = typeof target === "string" ? registry.require(target) : target;
  return definition.metadata;
}
