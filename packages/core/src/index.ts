/**
 * @agnt5/core: the component model. No I/O: runtimes (the SDK's Worker, its HTTP runtime, the
 * durable engine) drive what is defined here.
 *
 * @example
 * import { fn } from "@agnt5/core";
 * import { z } from "zod";
 *
 * export const greet = fn("greet", (name: string) => `Hello, ${name}!`);
 * export const add = fn({ name: "math_add", input: z.object({ a: z.number(), b: z.number() }) }, ({ a, b }) => a + b);
 */
export { decodeJson, encodeJson } from "./codec.js";
export {
  type ComponentType,
  createExecutionContext,
  type ExecutionContext,
  type ExecutionContextInit,
  type FunctionContext,
} from "./context.js";
export {
  Agnt5Error,
  type Agnt5ErrorOptions,
  ComponentNotFoundError,
  DefinitionError,
  type ErrorCode,
  InputValidationError,
  RetryableError,
  type SerializedError,
  serializeError,
  TerminalError,
  type ValidationIssue,
} from "./errors.js";
export { executeComponent } from "./execute.js";
export {
  type AnyFunctionDefinition,
  type FunctionDefinition,
  type FunctionMetadata,
  type FunctionOptions,
  fn,
  type HandlerInput,
  type HandlerIsStreaming,
  type HandlerOutput,
  isAsyncIterable,
} from "./function.js";
export { type Logger, silentLogger } from "./logger.js";
export { registerFunction } from "./register-function.js";
export {
  type ComponentDefinition,
  clearRegistry,
  defaultRegistry,
  getFunctionMetadata,
  getRegisteredFunctions,
  Registry,
} from "./registry.js";
export { defaultRetryPolicy, nextRetryDelayMs, type RetryPolicy, resolveRetryPolicy } from "./retry-policy.js";
export { type JsonSchema, type ParameterMetadata, parseWithSchema, toJsonSchema } from "./schema.js";
