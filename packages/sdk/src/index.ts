/**
 * @agnt5/sdk: everything an AGNT5 application needs in one import. Re-exports the component model
 * of @agnt5/core, and adds the Worker (standalone gRPC runtime and HTTP runtime) and the Client for
 * the coordinator's gateway. Importing it has no side effects: nothing connects or listens until
 * worker.run() / worker.listen().
 *
 * @example
 * import { fn, Worker } from "@agnt5/sdk";
 *
 * fn("greet", (name: string) => `Hello, ${name}!`);
 * await new Worker("hello-service").run();
 */
// Agents and tools (Agent, tool, Tool, AgentTool, ctx.tools); also brings @agnt5/adk's augmentation (ctx.tools).
export * from "@agnt5/adk";
export * from "@agnt5/core";
// The type of ctx.llm; importing it also brings @agnt5/llm's augmentation of DurableContext.
export type { LlmContext } from "@agnt5/llm";
export {
  type CallRequest,
  Client,
  type ClientOptions,
  type DefinitionCallOptions,
  type EntityInfo,
  type InvocationError,
  type InvocationInfo,
  type InvocationStatus,
  type InvokeOptions,
  type StreamOptions,
  type WaitOptions,
} from "./client.js";
export type { AgentInput, AgentRef, AgentRunResult, RunAgentOptions, StartAgentOptions } from "./client-agents.js";
export type { ClientEntityProxy, DefinitionArgs, DefinitionInput, DefinitionOutput } from "./client-definitions.js";
export { Agnt5ClientError, type Agnt5ClientErrorOptions } from "./client-error.js";
export type {
  ApprovalRequest,
  ApprovalResult,
  CancelResult,
  JournalEntryKind,
  RunError,
  RunInfo,
  RunJournal,
  RunJournalEntry,
  RunStatus,
  RunStep,
  RunWorkflowOptions,
  SignalResult,
  StartedRun,
  StartWorkflowOptions,
  WorkflowResultOptions,
} from "./client-run-types.js";
export { ServiceClient } from "./client-service.js";
export { DEFAULT_MAX_BODY_BYTES } from "./client-transport.js";
export {
  type LogFormat,
  type LogLevel,
  resolveWorkerConfig,
  type WorkerConfig,
  type WorkerConfigOptions,
  type WorkerRuntime,
  type WorkerRuntimeOption,
  workerConfigDefaults,
} from "./config.js";
export { ConfigError } from "./config-error.js";
export { type CoordinatorTarget, parseCoordinatorEndpoint } from "./coordinator-endpoint.js";
export { DEFAULT_BODY_LIMIT_BYTES } from "./http-body.js";
export type { CorsOptions } from "./http-cors.js";
export type { HttpRequestListener } from "./http-request-handler.js";
export { createWorkerLogger, type PinoLogger, type WorkerLoggerOptions } from "./logger.js";
export type { ReconnectBackoff } from "./reconnect-backoff.js";
export { SDK_VERSION } from "./sdk-version.js";
export type { StreamEnvelope } from "./stream-envelopes.js";
export { Worker } from "./worker.js";
export type { HttpAddress, WorkerEventMap } from "./worker-events.js";
export type { WorkerOptions } from "./worker-options.js";
