import type { ApprovalDecision, DurableContext, RetryPolicy } from "@agnt5/core";
import type { LanguageModel, Message, ProviderRegistry, Usage } from "@agnt5/llm";
import type { z } from "zod";
import type { Agent } from "./agent.js";
import type { MemoryRecallOptions } from "./agent-memory.js";
import type { Memory } from "./memory/memory.js";
import type { ToolSource } from "./remote/tool-source.js";
import type { Tool } from "./tool.js";

/** What an agent passes with the messages a run appends to its session. */
export interface SessionAppendOptions {
  /** The agent that wrote the messages. */
  agent?: string;
  /** Same key, same append: a session stores it once (the agent loop sends `<invocation id>:<entry name>`). */
  idempotencyKey?: string;
  metadata?: Record<string, unknown>;
}

/** The conversation an agent keeps between runs: a Session, or any store with these methods. */
export interface AgentSession {
  /** The earlier turns, without the system message. */
  messages(): Message[] | Promise<Message[]>;
  /** The turns this run added (user input, assistant answers, tool results). */
  append(messages: Message[], options?: SessionAppendOptions): unknown;
  /**
   * The same session called through a durable context, whose calls are journal entries of their
   * own (a Session's entity calls): the agent loop then calls it directly instead of wrapping its
   * reads and appends in ctx.step (where durable calls cannot nest).
   */
  bind?(ctx: DurableContext): AgentSession & { readonly journaled: boolean };
}

export interface AgentOptions<S extends z.ZodType | undefined = undefined> {
  /** Unique within a service; names the agent's journal entries ("agent:<name>:llm:0"). */
  name: string;
  /** A "provider/model" string (resolved through @agnt5/llm's registry) or a LanguageModelV1. */
  model: LanguageModel;
  /** The system prompt. */
  instructions?: string;
  /** Tools, AgentTools (handoffs), agents as tools (agent.asTool()) and tool sources (new MCPTool()). */
  tools?: ReadonlyArray<Tool | ToolSource>;
  /** Agents this one may hand the conversation to (each becomes an AgentTool). */
  handoffs?: ReadonlyArray<Agent<any>>;
  /** Model calls per run at most (default 10); then the run ends with status "max_iterations". */
  maxIterations?: number;
  /** The final answer must be JSON matching this schema; `result.output` is its parsed value. */
  outputSchema?: S;
  /** The conversation to continue (see AgentSession). */
  session?: AgentSession;
  /** Sampling temperature, passed to every model call. */
  temperature?: number;
  maxOutputTokens?: number;
  /** Retry policy of each model call's journal entry (default: the component's step policy). */
  modelRetry?: Partial<RetryPolicy>;
  /** Where model strings are resolved (default: @agnt5/llm's default registry). */
  registry?: ProviderRegistry;
  /**
   * Long-term memory: before each run the agent searches it with the run's input and puts the best
   * matches (top 5 by the backend's score unless memoryRecall says otherwise) in a system message
   * after the instructions, journaled as `<prefix>:memory`. Tools get it as `ctx.memory`.
   */
  memory?: Memory;
  /** How many memories are recalled and which (default `{ limit: 5 }`); false turns recall off (tools keep ctx.memory). */
  memoryRecall?: MemoryRecallOptions | false;
}

export interface AgentRunOptions {
  /**
   * The durable context to journal into: a function, workflow or entity handler's ctx. Each model
   * call and each tool run becomes its own journal entry. Without it (or when called inside a
   * ctx.step's function, where durable operations cannot nest) the run is not journaled.
   */
  ctx?: DurableContext;
  /** The run id tools see outside a durable context (default: a random UUID). */
  runId?: string;
  abortSignal?: AbortSignal;
  /** Overrides the agent's session for this run. */
  session?: AgentSession;
  /**
   * Tools (or tool sources) added for this run only, next to the agent's own: e.g. tools chosen by the
   * caller's role. A name the agent already has is a definition error.
   */
  tools?: ReadonlyArray<Tool | ToolSource>;
}

export type AgentStatus = "completed" | "max_iterations" | "awaiting_approval" | "failed";

/** One tool call of a run, as the model made it and as it ended. */
export interface AgentToolCall {
  id: string;
  name: string;
  /** The arguments the model sent. */
  arguments: unknown;
  /** The arguments the tool ran with, when an approver edited them. */
  editedArguments?: unknown;
  /** The tool's result (JSON) when it succeeded. */
  result?: unknown;
  /** What went wrong (invalid arguments, a thrown error, a rejection), as the model was told. */
  error?: string;
  /** The human decision, for confirmation tools. */
  approval?: ApprovalDecision;
  /** The agent that made the call (differs from the run's agent after a handoff). */
  agent: string;
}

/** A confirmation tool call waiting for a decision (status "awaiting_approval" outside a durable context). */
export interface PendingApproval {
  /** The approval's name inside a durable context (the tool call's journal entry name). */
  name: string;
  toolCallId: string;
  toolName: string;
  arguments: unknown;
  agent: string;
}

interface AgentResultBase {
  /** The agent that gave the answer (the specialist after a handoff). */
  agent: string;
  /** The last text the model produced. */
  text: string;
  /** The whole conversation: system, user, assistant and tool messages. */
  messages: Message[];
  toolCalls: AgentToolCall[];
  /** Model calls made (or replayed). */
  iterations: number;
  usage: Usage;
}

/** What agent.run() resolves to; `output` is typed by `outputSchema` and set when status is "completed". */
export type AgentResult<O = string> =
  | (AgentResultBase & { status: "completed"; output: O })
  | (AgentResultBase & { status: "max_iterations"; output?: undefined })
  | (AgentResultBase & { status: "awaiting_approval"; output?: undefined; pendingApprovals: PendingApproval[] })
  | (AgentResultBase & { status: "failed"; output?: undefined; error: { code: string; message: string } });

/** The events agent.stream() yields, in order. */
export type AgentEvent<O = string> =
  /** Text the model wrote before calling tools (its reasoning, when it shares it). */
  | { type: "thinking"; agent: string; iteration: number; content: string }
  | { type: "tool_call"; agent: string; toolCallId: string; toolName: string; arguments: unknown }
  | { type: "tool_result"; agent: string; toolCallId: string; toolName: string; result?: unknown; error?: string }
  /** A text delta of the model's answer, as it arrives (a replayed model call yields its text at once). */
  | { type: "response"; agent: string; content: string }
  | {
      type: "approval_requested";
      agent: string;
      name: string;
      toolCallId: string;
      toolName: string;
      arguments: unknown;
    }
  | { type: "handoff"; from: string; to: string }
  | { type: "error"; agent: string; error: string; code: string }
  | { type: "done"; result: AgentResult<O> };

/** One step of agent.plan(). */
export interface PlanStep {
  type: "tool" | "reasoning" | "response";
  description: string;
  /** The tool this step would call (for type "tool"). */
  tool?: { name: string; description: string };
}

export interface AgentPlan {
  agent: string;
  steps: PlanStep[];
}

/** The output type of an agent with this schema. */
export type OutputOf<S> = S extends z.ZodType ? z.output<S> : string;
