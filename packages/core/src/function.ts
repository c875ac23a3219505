import type { z } from "zod";
import { createExecutionContext, type ExecutionContext, type ExecutionContextInit } from "./context.js";
import type { DurableContext, FunctionContext } from "./durable-context.js";
import { DefinitionError } from "./errors.js";
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

/** A handler's result: a value (sync or async) or, for a streaming function, an async iterable of chunks. */
type AnyHandler = (input: any, ctx: FunctionContext) => unknown;

/** The chunk type for streaming handlers, the awaited result otherwise. */
export type HandlerOutput<H extends AnyHandler> =
  ReturnType<H> extends AsyncIterable<infer Chunk> ? Chunk : Awaited<ReturnType<H>>;
export type HandlerIsStreaming<H extends AnyHandler> = ReturnType<H> extends AsyncIterable<unknown> ? true : false;
export type HandlerInput<H extends AnyHandler> = Parameters<H>[0];

/** The seed's get_function_metadata() shape, camel-cased. */
export interface FunctionMetadata {
  name: string;
  type: "function";
  description?: string;
  parameters: ParameterMetadata[];
  returnType: string;
  streaming: boolean;
  inputSchema?: JsonSchema;
  outputSchema?: JsonSchema;
}

export interface FunctionOptions<
  Input extends z.ZodType | undefined = undefined,
  Output extends z.ZodType | undefined = undefined,
> {
  /** Registered name; defaults to the handler's own name. */
  name?: string;
  description?: string;
  /** Validates (and transforms) the input before the handler sees it; drives the inferred input type. */
  input?: Input;
  /** Validates the handler's result (each chunk, for a streaming function). */
  output?: Output;
  /** Forces streaming on or off; by default an async generator handler streams. */
  streaming?: boolean;
  retry?: Partial<RetryPolicy>;
  /** Registry to add the function to; `false` keeps it out of every registry. Default: the global one. */
  registry?: Registry | false;
}

/**
 * A defined function. It is callable (`await greet("Alice")` runs the handler locally with a fresh
 * context, validating input and output) and carries the metadata the Worker registers.
 */
export interface FunctionDefinition<In = unknown, Out = unknown, Streaming extends boolean = boolean> {
  // The input may be omitted when the handler accepts undefined (e.g. a handler without parameters).
  (
    ...args: undefined extends In
      ? [input?: In, ctx?: ExecutionContext | ExecutionContextInit]
      : [input: In, ctx?: ExecutionContext | ExecutionContextInit]
  ): Streaming extends true ? AsyncIterable<Out> : Promise<Out>;
  readonly kind: "function";
  /** The registered name (the seed's `_agnt5_handler_name`). */
  readonly name: string;
  readonly streaming: Streaming;
  readonly description: string | undefined;
  readonly retryPolicy: RetryPolicy;
  readonly inputSchema: JsonSchema | undefined;
  readonly outputSchema: JsonSchema | undefined;
  readonly metadata: FunctionMetadata;
  /**
   * Runs the handler for the runtime: validates input, then returns a promise of the output, or an
   * async iterable of validated chunks for a streaming function. A DurableContext (the engine's)
   * reaches the handler as is; a plain ExecutionContext gets local durable operations.
   */
  invoke(input: unknown, ctx: ExecutionContext | DurableContext): Promise<unknown> | AsyncIterable<unknown>;
}

export type AnyFunctionDefinition = FunctionDefinition<any, any, boolean>;

const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

// Overloads: handler only; name + handler; options (with optional zod schemas) + handler.
export function fn<H extends AnyHandler>(
  handler: H,
): FunctionDefinition<HandlerInput<H>, HandlerOutput<H>, HandlerIsStreaming<H>>;
export function fn<H extends AnyHandler>(
  name: string,
  handler: H,
): FunctionDefinition<HandlerInput<H>, HandlerOutput<H>, HandlerIsStreaming<H>>;
export function fn<
  I extends z.ZodType,
  O extends z.ZodType | undefined = undefined,
  H extends (input: z.output<I>, ctx: FunctionContext) => unknown = (
    input: z.output<I>,
    ctx: FunctionContext,
  ) => unknown,
>(
  options: FunctionOptions<I, O> & { input: I },
  handler: H,
): FunctionDefinition<z.input<I>, O extends z.ZodType ? z.output<O> : HandlerOutput<H>, HandlerIsStreaming<H>>;
export function fn<O extends z.ZodType | undefined = undefined, H extends AnyHandler = AnyHandler>(
  options: FunctionOptions<undefined, O>,
  handler: H,
): FunctionDefinition<HandlerInput<H>, O extends z.ZodType ? z.output<O> : HandlerOutput<H>, HandlerIsStreaming<H>>;
export function fn(
  first: AnyHandler | string | FunctionOptions<z.ZodType | undefined, z.ZodType | undefined>,
  second?: AnyHandler,
): AnyFunctionDefinition {
  const handler = typeof first === "function" ? first : second;
  if (typeof handler !== "function") throw new DefinitionError("fn() needs a handler function");
  const options: FunctionOptions<z.ZodType | undefined, z.ZodType | undefined> =
    typeof first === "string" ? { name: first } : typeof first === "function" ? {} : first;
  return defineFunction(handler, options);
}

function defineFunction(
  handler: AnyHandler,
  options: FunctionOptions<z.ZodType | undefined, z.ZodType | undefined>,
): AnyFunctionDefinition {
  const name = options.name ?? handler.name;
  if (!name) throw new DefinitionError("A function needs a name: pass one to fn(name, handler) or use a named handler");
  if (!NAME_PATTERN.test(name)) {
    throw new DefinitionError(
      `Invalid function name "${name}": use letters, digits, "_", "-" and ".", not starting with a digit`,
    );
  }
  const streaming = options.streaming ?? isAsyncGeneratorFunction(handler);
  const inputSchema = options.input ? toInputJsonSchema(options.input) : undefined;
  // Without a schema, the handler's own parameter (its name, or the keys it destructures) describes the input.
  const parameter = options.input ? undefined : handlerParameter(handler);
  const outputSchema = options.output ? toJsonSchema(options.output) : undefined;
  const retryPolicy = resolveRetryPolicy(options.retry);
  const metadata: FunctionMetadata = {
    name,
    type: "function",
    ...(options.description ? { description: options.description } : {}),
    parameters: parameter ? parameterMetadata(parameter) : parametersFromSchema(inputSchema),
    returnType: streaming ? `AsyncIterable<${typeName(outputSchema)}>` : typeName(outputSchema),
    streaming,
    ...(inputSchema ? { inputSchema } : {}),
    ...(outputSchema ? { outputSchema } : {}),
  };

  const invoke = (
    rawInput: unknown,
    ctx: ExecutionContext | DurableContext,
  ): Promise<unknown> | AsyncIterable<unknown> => {
    const input = options.input ? parseWithSchema(options.input, rawInput, name) : bindInput(name, parameter, rawInput);
    const validateOutput = (value: unknown) =>
      options.output ? parseWithSchema(options.output, value, name, "INVALID_OUTPUT") : value;
    const context = toDurableContext(ctx);
    if (streaming) return validateChunks(handler(input, context), validateOutput, name);
    return Promise.resolve(handler(input, context)).then(validateOutput);
  };

  const callable = (input: unknown, ctx?: ExecutionContext | ExecutionContextInit) => {
    const context = isContext(ctx) ? ctx : createExecutionContext({ componentName: name, ...ctx });
    if (streaming) return invoke(input, context);
    // Validation errors surface as a rejected promise, like any other handler failure.
    try {
      return invoke(input, context);
    } catch (error) {
      return Promise.reject(error);
    }
  };

  const definition = Object.defineProperties(callable, {
    name: { value: name, enumerable: true },
    kind: { value: "function", enumerable: true },
    streaming: { value: streaming, enumerable: true },
    description: { value: options.description, enumerable: true },
    retryPolicy: { value: retryPolicy, enumerable: true },
    inputSchema: { value: inputSchema, enumerable: true },
    outputSchema: { value: outputSchema, enumerable: true },
    metadata: { value: metadata, enumerable: true },
    invoke: { value: invoke },
  }) as unknown as AnyFunctionDefinition;

  const registry = options.registry ?? defaultRegistry;
  if (registry) registry.register(definition);
  return definition;
}

async function* validateChunks(
  result: unknown,
  validate: (value: unknown) => unknown,
  name: string,
): AsyncIterable<unknown> {
  if (!isAsyncIterable(result)) {
    throw new DefinitionError(`Streaming function ${name} must return an async iterable (use an async generator)`);
  }
  for await (const chunk of result) yield validate(chunk);
}

function isAsyncGeneratorFunction(handler: AnyHandler): boolean {
  return Object.prototype.toString.call(handler) === "[object AsyncGeneratorFunction]";
}

export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === "object" && value !== null && Symbol.asyncIterator in value;
}

/** A complete context (plain or durable), as opposed to a partial ExecutionContextInit. */
export function isContext(value: unknown): value is ExecutionContext | DurableContext {
  return (
    typeof value === "object" && value !== null && "invocationId" in value && "logger" in value && "signal" in value
  );
}
