/**
 * @agnt5/adk: agents and tools for AGNT5.
 *
 * - `tool(options, handler)` (zod) and `new Tool({ inputSchema, handler })` (JSON Schema, checked with ajv);
 * - `new Agent({ name, model, instructions, tools, maxIterations, outputSchema, handoffs })` with
 *   `run`, `stream`, `plan` and `asTool`; `new AgentTool({ targetAgent })` for handoffs;
 * - durable inside any durable context: `agent.run(input, { ctx })` journals every model call and
 *   every tool run as its own entry, and confirmation tools wait on ctx.human.approval.
 */
export { Agent } from "./agent.js";
export { type AgentRunInput, type RegisterAgentOptions, registerAgent } from "./agent-component.js";
export { AgentTool, type AgentToolOptions } from "./agent-tool.js";
export type {
  AgentEvent,
  AgentOptions,
  AgentPlan,
  AgentResult,
  AgentRunOptions,
  AgentSession,
  AgentStatus,
  AgentToolCall,
  OutputOf,
  PendingApproval,
  PlanStep,
  SessionAppendOptions,
} from "./agent-types.js";
export {
  attachMemoryContext,
  checkContent,
  checkKey,
  checkMetadata,
  cosineSimilarity,
  type ExtractedFact,
  embedTexts,
  type IngestibleSession,
  type IngestOptions,
  type IngestStrategy,
  InMemoryMemoryService,
  type InMemoryMemoryServiceOptions,
  keywordScore,
  keywords,
  type ListKeysOptions,
  Memory,
  type MemoryChanges,
  type MemoryEmbedding,
  type MemoryFilter,
  type MemoryMetadata,
  type MemoryOptions,
  type MemoryRecord,
  type MemorySearchOptions,
  type MemorySearchResult,
  type MemoryService,
  type MemoryWrite,
  matchesFilter,
  mergeMetadata,
} from "./memory/index.js";
export { ChildInvocationTool, HostedTool, type HostedToolOptions } from "./remote/hosted-tool.js";
export { MCPTool, type MCPToolOptions } from "./remote/mcp-tool.js";
export { type OpenAPIHeaders, OpenAPITool, type OpenAPIToolOptions } from "./remote/openapi-tool.js";
export { isToolSource, type RemoteToolDefinition, type ToolSource } from "./remote/tool-source.js";
export * from "./session/index.js";
export {
  isTool,
  Tool,
  type ToolContext,
  type ToolHandler,
  type ToolOptions,
  type ToolValidation,
  tool,
  type ZodToolOptions,
} from "./tool.js";
export {
  attachToolsContext,
  createToolsContext,
  getToolsContext,
  type RegisterToolOptions,
  type ToolsContext,
} from "./tools-context.js";
