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
  type MetricsExport,
  metricsRequested,
  startMetricsExport,
  startTracing,
  type Tracing,
  tracingRequested,
} from "@agnt5/telemetry";
export type { DefinitionInput, DefinitionOutput } from "./client-definitions.js";
// The Client and its types: the same list as the @agnt5/sdk/client entry. The definition helper
// types share names with @agnt5/core's; the explicit export says the Client's are meant here.
export * from "./client-entry.js";
export {
  type CoordinatorEndpointConfig,
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
export {
  installOpenTelemetryLogging,
  type OpenTelemetryLoggingOptions,
  removeOpenTelemetryLogging,
} from "./observability/otel-logging.js";
export type { ProviderOptions } from "./observability/providers.js";
export type { ReconnectBackoff } from "./reconnect-backoff.js";
export { SDK_VERSION } from "./sdk-version.js";
export { WORKER_TLS_VARIABLES, type WorkerTlsOptions } from "./tls-options.js";
export { Worker } from "./worker.js";
export type { HttpAddress, WorkerEventMap } from "./worker-events.js";
export type { WorkerOptions } from "./worker-options.js";
