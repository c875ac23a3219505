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
 * export const checkout = workflow("checkout", async (ctx, orderId: string) => {
 *   const charge = await ctx.step("charge", () => chargeCard(orderId));
 *   await ctx.sleep(60);
 *   return { orderId, charge };
 * });
 */

export {
  type AgentComponentDefinition,
  type AgentComponentHandler,
  type AgentComponentMetadata,
  type AgentComponentOptions,
  type AgentEventSink,
  defineAgentComponent,
} from "./agent-component.js";
export { decodeJson, encodeJson } from "./codec.js";
export {
  type ComponentType,
  createExecutionContext,
  type ExecutionContext,
  type ExecutionContextInit,
} from "./context.js";
export {
  type ApprovalDecision,
  type ApprovalOptions,
  type ApprovalVerdict,
  type CallableDefinition,
  type CallTarget,
  type ChildHandle,
  type DefinitionInput,
  type DefinitionInputArgs,
  type DefinitionOutput,
  type DurableContext,
  type DurableContextExtensions,
  type DurableSignal,
  type EntityCallOptions,
  type FunctionContext,
  type GatherResults,
  type HumanInTheLoop,
  isDurableContext,
  type ParallelItem,
  type ParallelResults,
  type SignalEmitOptions,
  type SignalWaitOptions,
  type SpawnOptions,
  type StepOptions,
  type TimerOptions,
  type WorkflowContext,
} from "./durable-context.js";
export {
  type AnyEntityDefinition,
  type AnyEntityMethod,
  type EntityDefinition,
  type EntityFactory,
  type EntityHandlerInput,
  type EntityHandlerOutput,
  type EntityMetadata,
  type EntityMethod,
  type EntityMethodBuilder,
  type EntityMethodInput,
  type EntityMethodMetadata,
  type EntityMethodOptions,
  type EntityMethodOutput,
  type EntityMethods,
  type EntityOptions,
  type EntityProxy,
  type EntityProxyOf,
  entity,
  isEntityDefinition,
  type UntypedEntityProxy,
} from "./entity.js";
export type { EntityContext, EntityStateChange } from "./entity-context.js";
export {
  Agnt5Error,
  type Agnt5ErrorOptions,
  CancelledError,
  ComponentNotFoundError,
  DefinitionError,
  EntityMethodNotFoundError,
  EntityReadOnlyError,
  type ErrorCode,
  InputValidationError,
  type JournalOperation,
  NonDeterminismError,
  type RecordedFailure,
  RetryableError,
  type SerializedError,
  SignalTimeoutError,
  StepFailedError,
  serializeError,
  TaskFailedError,
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
export { HTTP_STATUS_BY_CODE, httpStatusForCode } from "./http-status.js";
export { LENIENT_INPUT_KEYWORD, toInputJsonSchema } from "./input-schema.js";
export { createLocalDurableContext } from "./local-durable-context.js";
export { type LocalEntityCallOptions, LocalEntityStore, localEntityStore } from "./local-entity-store.js";
export { type Logger, silentLogger } from "./logger.js";
export * from "./observability/index.js";
export { registerFunction } from "./register-function.js";
export {
  type ComponentDefinition,
  type ComponentMetadata,
  clearRegistry,
  defaultRegistry,
  getFunctionMetadata,
  getRegisteredEntities,
  getRegisteredFunctions,
  getRegisteredWorkflows,
  Registry,
} from "./registry.js";
export { defaultRetryPolicy, nextRetryDelayMs, type RetryPolicy, resolveRetryPolicy } from "./retry-policy.js";
export { type JsonSchema, type ParameterMetadata, parseWithSchema, toJsonSchema } from "./schema.js";
export {
  type AnyWorkflowDefinition,
  type WorkflowDefinition,
  type WorkflowHandlerInput,
  type WorkflowHandlerOutput,
  type WorkflowMetadata,
  type WorkflowOptions,
  workflow,
} from "./workflow.js";
