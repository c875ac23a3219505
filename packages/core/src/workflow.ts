import type { z } from "zod";
import { createExecutionContext, type ExecutionContext, type ExecutionContextInit } from "./context.js";
import type { DurableContext, WorkflowContext } from "./durable-context.js";
import { DefinitionError } from "./errors.js";
import { isContext } from "./function.js";
import { bindInput, handlerParameter, parameterMetadata } from "./handler-parameter.js";
import { toInputJsonSchema } from "./input-schema.js";
import { toDurableContext } from "./local-durable-context.js";
import { defaultRegistry, type Registry } from "./registry.js";
import { type RetryPolicy, resolveRetryPolicy } from "./retry-policy.js";
import {
  type JsonSchema,
  type ParameterMetadata,
  parametersFromSchema,
  parseWithSchema,
  toJsonSchema,
  typeName,
} from "./schema.js";

/** A workflow handler: the context first (as in the seed's `async def f(ctx, ...)`), then the input. */
type AnyWorkflowHandler = (ctx: WorkflowContext, input: any) => unknown;

/** The handler's input type: its second parameter, undefined when it takes none. */
export type WorkflowHandlerInput<H extends AnyWorkflowHandler> = H extends (ctx: any, ...rest: infer Rest) => any
  ? Rest extends []
    ? undefined
    : Rest[0]
  : never;
export type WorkflowHandlerOutput<H extends AnyWorkflowHandler> = Awaited<ReturnType<H>>;

/** Metadata a Worker registers for a workflow (the seed's get_function_metadata() shape, type "workflow"). */
export interface WorkflowMetadata {
  name: string;
  type: "workflow";
  description?: string;
  parameters: ParameterMetadata[];
  returnType: string;
  inputSchema?: JsonSchema;
  outputSchema?: JsonSchema;
}

export interface WorkflowOptions<
  Input extends z.ZodType | undefined = undefined,
  Output extends z.ZodType | undefined = undefined,
> {
  /** Registered name; defaults to the handler's own name. */
  name?: string;
  description?: string;
  /** Validates (and transforms) the input before the handler sees it; drives the inferred input type. */
  input?: Input;
  /** Validates the handler's result. */
  output?: Output;
  /** How a failed run is retried (and the default policy of its steps). */
  retry?: Partial<RetryPolicy>;
  /** Registry to add the workflow to; `false` keeps it out of every registry. Default: the global one. */
  registry?: Registry | false;
}

/**
 * A defined workflow: a durable handler started by run id. It is callable (`await checkout(order)`
 * runs the handler locally with local durable operations) and carries the metadata a Worker
 * registers.
 */
export interface WorkflowDefinition<In = unknown, Out = unknown> {
  (
    ...args: undefined extends In
      ? [input?: In, ctx?: ExecutionContext | ExecutionContextInit]
      : [input: In, ctx?: ExecutionContext | ExecutionContextInit]
  ): Promise<Out>;
  readonly kind: "workflow";
  /** The registered name. */
  readonly name: string;
  /** Workflows never stream. */
  readonly streaming: false;
  readonly description: string | undefined;
  readonly retryPolicy: RetryPolicy;
  readonly inputSchema: JsonSchema | undefined;
  readonly outputSchema: JsonSchema | undefined;
  readonly metadata: WorkflowMetadata;
  /** Runs the handler for the runtime: validates input, calls `handler(ctx, input)`, validates output. */
  invoke(input: unknown, ctx: ExecutionContext | DurableContext): Promise<unknown>;
}

export type AnyWorkflowDefinition = WorkflowDefinition<any, any>;

const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

// Overloads mirror fn(): handler only; name + handler; options (with optional zod schemas) + handler.
export function workflow<H extends AnyWorkflowHandler>(
  handler: H,
): WorkflowDefinition<WorkflowHandlerInput<H>, WorkflowHandlerOutput<H>>;
export function workflow<H extends AnyWorkflowHandler>(
  name: string,
  handler: H,
): WorkflowDefinition<WorkflowHandlerInput<H>, WorkflowHandlerOutput<H>>;
export function workflow<
  I extends z.ZodType,
  O extends z.ZodType | undefined = undefined,
  H extends (ctx: WorkflowContext, input: z.output<I>) => unknown = (
    ctx: WorkflowContext,
    input: z.output<I>,
  ) => unknown,
>(
  options: WorkflowOptions<I, O> & { input: I },
  handler: H,
): WorkflowDefinition<z.input<I>, O extends z.ZodType ? z.output<O> : WorkflowHandlerOutput<H>>;
export function workflow<
  O extends z.ZodType | undefined = undefined,
  H extends AnyWorkflowHandler = AnyWorkflowHandler,
>(
  options: WorkflowOptions<undefined, O>,
  handler: H,
): WorkflowDefinition<WorkflowHandlerInput<H>, O extends z.ZodType ? z.output<O> : WorkflowHandlerOutput<H>>;
export function workflow(
  first: AnyWorkflowHandler | string | WorkflowOptions<z.ZodType | undefined, z.ZodType | undefined>,
  second?: AnyWorkflowHandler,
): AnyWorkflowDefinition {
  const handler = typeof first === "function" ? first : second;
  if (typeof handler !== "function") throw new DefinitionError("workflow() needs a handler function");
  const options: WorkflowOptions<z.ZodType | undefined, z.ZodType | undefined> =
    typeof first === "string" ? { name: first } : typeof first === "function" ? {} : first;
  return defineWorkflow(handler, options);
}

function defineWorkflow(
  handler: AnyWorkflowHandler,
  options: WorkflowOptions<z.ZodType | undefined, z.ZodType | undefined>,
): AnyWorkflowDefinition {
  const name = options.name ?? handler.name;
  if (!name) {
    throw new DefinitionError("A workflow needs a name: pass one to workflow(name, handler) or use a named handler");
  }
  if (!NAME_PATTERN.test(name)) {
    throw new DefinitionError(
      `Invalid workflow name "${name}": use letters, digits, "_", "-" and ".", not starting with a digit`,
    );
  }
  if (Object.prototype.toString.call(handler) === "[object AsyncGeneratorFunction]") {
    throw new DefinitionError(`Workflow ${name} cannot be an async generator: workflows do not stream`);
  }
  const inputSchema = options.input ? toInputJsonSchema(options.input) : undefined;
  // Without a schema, the handler's own parameter (its name, or the keys it destructures) describes the input.
  const parameter = options.input ? undefined : handlerParameter(handler, 1);
  const outputSchema = options.output ? toJsonSchema(options.output) : undefined;
  const retryPolicy = resolveRetryPolicy(options.retry);
  const metadata: WorkflowMetadata = {
    name,
    type: "workflow",
    ...(options.description ? { description: options.description } : {}),
    parameters: parameter ? parameterMetadata(parameter) : parametersFromSchema(inputSchema),
    returnType: typeName(outputSchema),
    ...(inputSchema ? { inputSchema } : {}),
    ...(outputSchema ? { outputSchema } : {}),
  };

  const invoke = async (rawInput: unknown, ctx: ExecutionContext | DurableContext): Promise<unknown> => {
    const input = options.input ? parseWithSchema(options.input, rawInput, name) : bindInput(name, parameter, rawInput);
    const output = await handler(toDurableContext(ctx), input);
    return options.output ? parseWithSchema(options.output, output, name, "INVALID_OUTPUT") : output;
  };

  const callable = (input: unknown, ctx?: ExecutionContext | ExecutionContextInit) =>
    invoke(
      input,
      isContext(ctx) ? ctx : createExecutionContext({ componentName: name, componentType: "workflow", ...ctx }),
    );

  const definition = Object.defineProperties(callable, {
    name: { value: name, enumerable: true },
    kind: { value: "workflow", enumerable: true },
    streaming: { value: false, enumerable: true },
    description: { value: options.description, enumerable: true },
    retryPolicy: { value: retryPolicy, enumerable: true },
    inputSchema: { value: inputSchema, enumerable: true },
    outputSchema: { value: outputSchema, enumerable: true },
    metadata: { value: metadata, enumerable: true },
    invoke: { value: invoke },
  }) as unknown as AnyWorkflowDefinition;

  const registry = options.registry ?? defaultRegistry;
  if (registry) registry.register(definition);
  return definition;
}
