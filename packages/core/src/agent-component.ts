import { createExecutionContext, type ExecutionContext, type ExecutionContextInit } from "./context.js";
import type { DurableContext } from "./durable-context.js";
import { DefinitionError } from "./errors.js";
import { isContext } from "./function.js";
import { toDurableContext } from "./local-durable-context.js";
import { defaultRegistry, type Registry } from "./registry.js";
import { type RetryPolicy, resolveRetryPolicy } from "./retry-policy.js";
import { type JsonSchema, type ParameterMetadata, parametersFromSchema, typeName } from "./schema.js";

/** Metadata a Worker registers for an agent (component kind "agent"). */
export interface AgentComponentMetadata {
  name: string;
  type: "agent";
  description?: string;
  parameters: ParameterMetadata[];
  returnType: string;
  inputSchema?: JsonSchema;
  outputSchema?: JsonSchema;
  /** What the agent offers (its tools, its model), for listings. */
  agent?: Record<string, unknown>;
}

/** Passes one event of a running agent to whoever streams it (the worker sends it to the coordinator). */
export type AgentEventSink = (event: unknown) => void;

/** The durable handler of an agent component: a workflow-like run that may report events as it goes. */
export type AgentComponentHandler = (ctx: DurableContext, input: unknown, emit: AgentEventSink) => Promise<unknown>;

export interface AgentComponentOptions {
  /** Registered name (the agent's name). */
  name: string;
  description?: string;
  /** The run's input as JSON Schema: the gateway refuses input that does not match (INVALID_INPUT). */
  inputSchema?: JsonSchema;
  outputSchema?: JsonSchema;
  /** How a failed run is retried (and the default policy of its steps: model calls and tool runs). */
  retry?: Partial<RetryPolicy>;
  /** Extra metadata (tools, model) shown in listings. */
  agent?: Record<string, unknown>;
  /** Registry to add the component to; `false` keeps it out of every registry. Default: the global one. */
  registry?: Registry | false;
}

/**
 * An agent hosted by a worker: started by run id like a workflow (POST /v1/agents/:name/runs), run
 * on the durable engine, so each model call and tool run its handler journals survives a crash.
 * `@agnt5/adk`'s `registerAgent(agent)` builds one from an Agent; core only knows the shape.
 */
export interface AgentComponentDefinition {
  (input: unknown, ctx?: ExecutionContext | ExecutionContextInit): Promise<unknown>;
  readonly kind: "agent";
  readonly name: string;
  /** Not a streaming handler: its result is one value; its events travel beside it (invokeWithEvents). */
  readonly streaming: false;
  readonly description: string | undefined;
  readonly retryPolicy: RetryPolicy;
  readonly inputSchema: JsonSchema | undefined;
  readonly outputSchema: JsonSchema | undefined;
  readonly metadata: AgentComponentMetadata;
  /** Runs the handler without reporting events. */
  invoke(input: unknown, ctx: ExecutionContext | DurableContext): Promise<unknown>;
  /** Runs the handler, passing each event to `emit` as it happens (the worker streams them). */
  invokeWithEvents(input: unknown, ctx: ExecutionContext | DurableContext, emit: AgentEventSink): Promise<unknown>;
}

const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Defines (and by default registers) a durable component of kind "agent". */
export function defineAgentComponent(
  options: AgentComponentOptions,
  handler: AgentComponentHandler,
): AgentComponentDefinition {
  const { name } = options;
  if (typeof name !== "string" || !NAME_PATTERN.test(name)) {
    throw new DefinitionError(
      `Invalid agent name "${String(name)}": an agent hosted by a worker needs a name of letters, digits, "_", "-" and ".", not starting with a digit`,
    );
  }
  if (typeof handler !== "function") throw new DefinitionError(`Agent ${name} needs a handler function`);
  const metadata: AgentComponentMetadata = {
    name,
    type: "agent",
    ...(options.description ? { description: options.description } : {}),
    parameters: parametersFromSchema(options.inputSchema),
    returnType: typeName(options.outputSchema),
    ...(options.inputSchema ? { inputSchema: options.inputSchema } : {}),
    ...(options.outputSchema ? { outputSchema: options.outputSchema } : {}),
    ...(options.agent ? { agent: options.agent } : {}),
  };
  const invokeWithEvents = (input: unknown, ctx: ExecutionContext | DurableContext, emit: AgentEventSink) =>
    handler(toDurableContext(ctx), input, emit);
  const invoke = (input: unknown, ctx: ExecutionContext | DurableContext) => invokeWithEvents(input, ctx, () => {});
  const callable = (input: unknown, ctx?: ExecutionContext | ExecutionContextInit) =>
    invoke(
      input,
      isContext(ctx) ? ctx : createExecutionContext({ componentName: name, componentType: "agent", ...ctx }),
    );

  const definition = Object.defineProperties(callable, {
    name: { value: name, enumerable: true },
    kind: { value: "agent", enumerable: true },
    streaming: { value: false, enumerable: true },
    description: { value: options.description, enumerable: true },
    retryPolicy: { value: resolveRetryPolicy(options.retry), enumerable: true },
    inputSchema: { value: options.inputSchema, enumerable: true },
    outputSchema: { value: options.outputSchema, enumerable: true },
    metadata: { value: metadata, enumerable: true },
    invoke: { value: invoke },
    invokeWithEvents: { value: invokeWithEvents },
  }) as unknown as AgentComponentDefinition;

  const registry = options.registry ?? defaultRegistry;
  if (registry) registry.register(definition);
  return definition;
}
