import { type JsonSchema, type RetryPolicy, TerminalError, toJsonSchema } from "@agnt5/core";
import type { LanguageModel, Message, ProviderRegistry } from "@agnt5/llm";
import type { z } from "zod";
import { runAgentLoop } from "./agent-loop.js";
import type { MemoryRecallOptions } from "./agent-memory.js";
import { planAgentRun } from "./agent-plan.js";
import { createAgentRuntime } from "./agent-runtime.js";
import { AgentTool, agentAsTool } from "./agent-tool.js";
import type {
  AgentEvent,
  AgentOptions,
  AgentPlan,
  AgentResult,
  AgentRunOptions,
  AgentSession,
  OutputOf,
} from "./agent-types.js";
import { EventChannel } from "./event-channel.js";
import type { Memory } from "./memory/memory.js";
import { checkToolEntries, isToolSource, type ToolSource } from "./remote/tool-source.js";
import type { Tool } from "./tool.js";

/**
 * An LLM with instructions and tools that loops (model call, tool runs, model call, ...) until it
 * answers. Inside a durable context (`agent.run(input, { ctx })` in a function, workflow or entity
 * handler) every model call and every tool run is its own journal entry: a replay after a crash
 * sends no recorded model call again and runs no recorded tool again.
 *
 * @example
 * const agent = new Agent({ name: "assistant", model: "openai/gpt-4o-mini", instructions: "Be brief.", tools: [searchDocs] });
 * const result = await agent.run("How do I retry a step?");
 * if (result.status === "completed") console.log(result.output);
 */
export class Agent<S extends z.ZodType | undefined = undefined> {
  readonly name: string;
  readonly model: LanguageModel;
  readonly instructions: string | undefined;
  /** The tools the model is offered: `tools`, then one AgentTool per `handoffs` entry. */
  readonly tools: readonly Tool[];
  /** Sources of tools known only at run time (MCP servers): expanded, and their list journaled, when a run starts. */
  readonly toolSources: readonly ToolSource[];
  readonly maxIterations: number;
  readonly outputSchema: S;
  /** The output schema as JSON Schema (sent as the response format). */
  readonly outputJsonSchema: JsonSchema | undefined;
  readonly session: AgentSession | undefined;
  readonly temperature: number | undefined;
  readonly maxOutputTokens: number | undefined;
  readonly modelRetry: Partial<RetryPolicy> | undefined;
  readonly registry: ProviderRegistry | undefined;
  readonly memory: Memory | undefined;
  readonly memoryRecall: MemoryRecallOptions | false | undefined;

  constructor(options: AgentOptions<S>) {
    if (typeof options?.name !== "string" || options.name.trim() === "") {
      throw definitionError("An agent needs a name (it names the agent's journal entries)");
    }
    const name = options.name;
    if (options.model === undefined || options.model === null || options.model === "") {
      throw definitionError(`Agent "${name}" needs a model: a "provider/model" string or a LanguageModelV1`);
    }
    const maxIterations = options.maxIterations ?? 10;
    if (!Number.isInteger(maxIterations) || maxIterations < 1) {
      throw definitionError(`Agent "${name}": maxIterations must be a positive integer, got ${maxIterations}`);
    }
    const given = checkToolEntries(name, options.tools ?? []);
    const tools = [
      ...given.filter((entry): entry is Tool => !isToolSource(entry)),
      ...(options.handoffs ?? []).map((target) => new AgentTool({ targetAgent: target })),
    ];
    const seen = new Set<string>();
    for (const tool of tools) {
      if (typeof tool?.validate !== "function") {
        throw definitionError(
          `Agent "${name}": tools must be Tool objects (tool(), new Tool(), new AgentTool(), agent.asTool())`,
        );
      }
      if (seen.has(tool.name)) throw definitionError(`Agent "${name}" has two tools named "${tool.name}"`);
      seen.add(tool.name);
    }
    this.name = name;
    this.model = options.model;
    this.instructions = options.instructions;
    this.tools = tools;
    this.toolSources = given.filter(isToolSource);
    this.maxIterations = maxIterations;
    this.outputSchema = options.outputSchema as S;
    this.outputJsonSchema = options.outputSchema === undefined ? undefined : toJsonSchema(options.outputSchema);
    this.session = options.session;
    this.temperature = options.temperature;
    this.maxOutputTokens = options.maxOutputTokens;
    this.modelRetry = options.modelRetry;
    this.registry = options.registry;
    this.memory = options.memory;
    this.memoryRecall = options.memoryRecall;
  }

  /**
   * Runs the agent to an answer. Resolves with status "completed" (output set), "max_iterations",
   * "awaiting_approval" (a confirmation tool outside a durable context) or "failed" (a model call
   * failed for good); rejects only when the run is aborted or the durable engine stops it.
   */
  run(input: string | Message[], options: AgentRunOptions = {}): Promise<AgentResult<OutputOf<S>>> {
    return this.#start(input, options, () => {}, false);
  }

  /**
   * Runs the agent and yields its events as they happen: `thinking`, `tool_call`, `tool_result`,
   * `response` (text deltas), `approval_requested`, `handoff`, `error`, then `done` with the result.
   */
  stream(input: string | Message[], options: AgentRunOptions = {}): AsyncIterable<AgentEvent<OutputOf<S>>> {
    const channel = new EventChannel<AgentEvent<OutputOf<S>>>();
    this.#start(input, options, (event) => channel.push(event), true).then(
      (result) => {
        channel.push({ type: "done", result });
        channel.end();
      },
      (error: unknown) => channel.end({ value: error }),
    );
    return channel;
  }

  /** The steps the agent would take for `input` (type, description, tool), from one model call; no tool runs. */
  plan(input: string, options: AgentRunOptions = {}): Promise<AgentPlan> {
    return planAgentRun(
      this,
      input,
      createAgentRuntime({ ctx: options.ctx, runId: options.runId, abortSignal: options.abortSignal }),
    );
  }

  /** This agent as a tool another agent calls with `{ input }`; the tool's result is this agent's output. */
  asTool(options: { name?: string; description?: string } = {}): Tool {
    return agentAsTool(this, options);
  }

  #start(
    input: string | Message[],
    options: AgentRunOptions,
    emit: (event: AgentEvent<any>) => void,
    streaming: boolean,
  ): Promise<AgentResult<OutputOf<S>>> {
    if (typeof input !== "string" && !Array.isArray(input)) {
      return Promise.reject(
        new TerminalError(`Agent "${this.name}" needs its input as a string or an array of messages`, {
          code: "INVALID_INPUT",
        }),
      );
    }
    try {
      const runtime = createAgentRuntime({ ctx: options.ctx, runId: options.runId, abortSignal: options.abortSignal });
      const extraTools = options.tools === undefined ? [] : checkToolEntries(this.name, options.tools);
      return runAgentLoop(this, input, runtime, emit, {
        streaming,
        session: options.session ?? this.session,
        extraTools,
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }
}

function definitionError(message: string): TerminalError {
  return new TerminalError(message, { code: "INVALID_DEFINITION" });
}
