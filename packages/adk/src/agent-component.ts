import {
  type AgentComponentDefinition,
  type AgentEventSink,
  type DurableContext,
  defaultRegistry,
  defineAgentComponent,
  type JsonSchema,
  type Registry,
  type RetryPolicy,
  TerminalError,
} from "@agnt5/core";
import type { Message } from "@agnt5/llm";
import type { Agent } from "./agent.js";
import type { AgentEvent, AgentResult, AgentSession } from "./agent-types.js";
import { Session } from "./session/session.js";
import { registerSessionEntities } from "./session/session-entities.js";

/** What a run of an agent component takes: POST /v1/agents/:name/runs sends `{ input, sessionId? }`. */
export interface AgentRunInput {
  /** The user's message, or the conversation so far. */
  input: string | Message[];
  /** The conversation this run belongs to (passed to `session` when given). */
  sessionId?: string;
}

export interface RegisterAgentOptions {
  /** Shown in listings (GET /v1/services). */
  description?: string;
  /** How a failed run is retried, and the default policy of its model calls and tool runs. */
  retry?: Partial<RetryPolicy>;
  /**
   * The conversation a run with a `sessionId` continues. Default: the durable Session of that id
   * (the `agnt5.session` entity, which registerAgent adds to the same registry), so runs through
   * the gateway with one sessionId share one history. A run without sessionId uses the agent's own
   * `session` option, if any.
   */
  session?: (sessionId: string, ctx: DurableContext) => AgentSession | Promise<AgentSession>;
  /** Registry to add the component to; `false` keeps it out of every registry. Default: the global one. */
  registry?: Registry | false;
}

/** The run input's JSON Schema: the gateway refuses anything else with 400 INVALID_INPUT, naming the field. */
const RUN_INPUT_SCHEMA: JsonSchema = {
  type: "object",
  properties: {
    input: {
      description: "The user's message, or the conversation so far as messages",
      anyOf: [{ type: "string" }, { type: "array", items: { type: "object" } }],
    },
    sessionId: { type: "string", description: "The conversation this run belongs to" },
  },
  required: ["input"],
  additionalProperties: false,
};

/**
 * Hosts `agent` on a worker as a component of kind "agent": it registers like functions and
 * workflows, and each run (POST /v1/agents/:name/runs, `client.runAgent`) is a durable run whose
 * model calls and tool runs are journal entries of their own, so a crash resumes it without
 * sending a recorded model call again or re-running a recorded tool. A confirmation tool suspends
 * the run on ctx.human.approval until someone decides (POST /v1/runs/:id/approvals/:name).
 *
 * The run's result is the AgentResult; a run whose agent failed for good (status "failed") fails
 * with the agent's error code. Its events (tool_call, tool_result, response, handoff, ...) are
 * streamed beside it, one `response` event per model call (text deltas are joined, so a resumed
 * run re-sends exactly the events it sent before and the coordinator can drop those).
 *
 * @example
 * const assistant = new Agent({ name: "assistant", model: "openai/gpt-4o-mini", tools: [searchDocs] });
 * registerAgent(assistant);
 * await new Worker("agents").run();
 */
export function registerAgent(agent: Agent<any>, options: RegisterAgentOptions = {}): AgentComponentDefinition {
  if (options.registry !== false) registerSessionEntities(options.registry ?? defaultRegistry);
  return defineAgentComponent(
    {
      name: agent.name,
      description: options.description ?? agent.instructions,
      inputSchema: RUN_INPUT_SCHEMA,
      ...(options.retry ? { retry: options.retry } : {}),
      agent: {
        model: typeof agent.model === "string" ? agent.model : agent.model.modelId,
        tools: agent.tools.map((tool) => ({ name: tool.name, description: tool.description })),
        maxIterations: agent.maxIterations,
      },
      ...(options.registry === undefined ? {} : { registry: options.registry }),
    },
    async (ctx, rawInput, emit) => {
      const { input, sessionId } = runInput(agent.name, rawInput);
      const session =
        sessionId === undefined
          ? undefined
          : options.session
            ? await options.session(sessionId, ctx)
            : new Session({ id: sessionId, ctx });
      const result = await streamRun(agent, input, { ctx, ...(session ? { session } : {}) }, emit);
      if (result.status === "failed") {
        throw new TerminalError(`Agent "${agent.name}" failed: ${result.error.message}`, {
          code: result.error.code,
          details: { agent: result.agent, iterations: result.iterations },
        });
      }
      return result;
    },
  );
}

/** Runs the agent, passing its events on (joined `response` deltas, no `done`: the result is the run's output). */
async function streamRun(
  agent: Agent<any>,
  input: string | Message[],
  options: { ctx: DurableContext; session?: AgentSession },
  emit: AgentEventSink,
): Promise<AgentResult<unknown>> {
  let text: { agent: string; content: string } | undefined;
  const flush = () => {
    if (text) emit({ type: "response", ...text });
    text = undefined;
  };
  for await (const event of agent.stream(input, options) as AsyncIterable<AgentEvent<unknown>>) {
    if (event.type === "done") {
      flush();
      return event.result;
    }
    if (event.type === "response" && (text === undefined || text.agent === event.agent)) {
      text = { agent: event.agent, content: (text?.content ?? "") + event.content };
      continue;
    }
    flush();
    if (event.type === "response") text = { agent: event.agent, content: event.content };
    else emit(event);
  }
  throw new TerminalError(`Agent "${agent.name}" ended without a result`, { code: "AGENT_NO_RESULT" });
}

function runInput(name: string, raw: unknown): AgentRunInput {
  // Called directly (`component("Hi")`), a bare string or message list is the input itself.
  if (typeof raw === "string" || Array.isArray(raw)) return { input: raw };
  const value = (raw ?? {}) as Partial<AgentRunInput>;
  if (typeof value !== "object" || (typeof value.input !== "string" && !Array.isArray(value.input))) {
    throw new TerminalError(
      `Agent "${name}" needs its input as { "input": string or messages, "sessionId"?: string }`,
      { code: "INVALID_INPUT" },
    );
  }
  if (value.sessionId !== undefined && typeof value.sessionId !== "string") {
    throw new TerminalError(`Agent "${name}": sessionId must be a string`, { code: "INVALID_INPUT" });
  }
  return { input: value.input, ...(value.sessionId === undefined ? {} : { sessionId: value.sessionId }) };
}
