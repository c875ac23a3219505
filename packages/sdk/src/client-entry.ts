/**
 * @agnt5/sdk/client: the Client alone, for web apps and scripts that call the gateway. It loads
 * neither the Worker nor gRPC, protobuf or pino (client-entry.test.ts checks), only @agnt5/core's
 * errors besides fetch. Definitions imported from the workers' code type the calls:
 *
 *   import { Client } from "@agnt5/sdk/client";
 *   const client = new Client("http://localhost:8080", { service: "hello-service" });
 *   const greeting = await client.invoke(greet, "Alice"); // string
 */

export { type CaSource, fetchTrustingCa } from "./ca-fetch.js";
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
// For other HTTP clients of the gateway that take endpoint lists the same way (the agnt5 CLI).
export { classifyFetchFailure, type FetchFailure, parseBaseUrls, safeToRepeat } from "./client-endpoints.js";
export { Agnt5ClientError, type Agnt5ClientErrorOptions } from "./client-error.js";
export type {
  ApprovalRequest,
  ApprovalResult,
  CancelResult,
  JournalEntryKind,
  RunError,
  RunFlowStep,
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
export type { StreamEnvelope } from "./stream-envelopes.js";
