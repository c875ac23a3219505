import { type ApprovalDecision, StepFailedError, TaskFailedError, TerminalError } from "@agnt5/core";
import {
  type CallOptions,
  type GenerateResult,
  type Message,
  parseStructuredOutput,
  type ToolCall,
  type ToolResultPart,
  type Usage,
  withoutRecordedPrompt,
  withRecordedPrompt,
} from "@agnt5/llm";
import type { Agent } from "./agent.js";
import { leadingSystemMessages, recallMemories } from "./agent-memory.js";
import { callModel, modelResolver, modelStepError } from "./agent-model-call.js";
import type { AgentRuntime } from "./agent-runtime.js";
import { AgentTool } from "./agent-tool.js";
import type { AgentEvent, AgentResult, AgentSession, AgentToolCall, PendingApproval } from "./agent-types.js";
import { ChildInvocationTool } from "./remote/hosted-tool.js";
import { resolveRunTools, type ToolSource } from "./remote/tool-source.js";
import type { Tool, ToolContext } from "./tool.js";

export type Emit = (event: AgentEvent<any>) => void;

interface LoopState {
  messages: Message[];
  toolCalls: AgentToolCall[];
  iterations: number;
  usage: Usage;
  text: string;
}

/**
 * The agent loop: call the model; if it called tools, run them (each checked, confirmed when the tool
 * asks for it, run as its own entry) and call the model again with their results; stop at an answer,
 * a handoff, a pending approval or maxIterations. Entries (journaled when the runtime is):
 * `<prefix>:memory` for the recalled memories, `<prefix>:llm:<i>` per model call, `<prefix>:tool:<tool>:<j>` per tool run (and the approval of the
 * same name), `<prefix>:session` for the session's history; `<prefix>` is `agent:<name>`, or
 * `agent:<name>#<n>` for the n-th further run of the same agent on one context.
 */
export async function runAgentLoop(
  agent: Agent<any>,
  input: string | Message[],
  runtime: AgentRuntime,
  emit: Emit,
  options: {
    streaming: boolean;
    session: AgentSession | undefined;
    /** This run's own tools and sources, next to the agent's (AgentRunOptions.tools). */
    extraTools?: ReadonlyArray<Tool | ToolSource>;
  },
): Promise<AgentResult<any>> {
  const ordinal = runtime.nextRunOrdinal(agent.name);
  const prefix = ordinal === 0 ? `agent:${agent.name}` : `agent:${agent.name}#${ordinal}`;
  const session = options.session;
  // A session that journals its own calls (a Session bound to the run's ctx) is called directly: its
  // reads and appends are entity calls, which cannot nest inside a ctx.step.
  const bound = session?.bind && runtime.ctx && runtime.journaled ? session.bind(runtime.ctx) : undefined;
  const direct = bound?.journaled ? bound : undefined;
  const history = direct
    ? await direct.messages()
    : session
      ? await runtime.step(`${prefix}:session`, async () => session.messages())
      : [];
  const turn: Message[] = typeof input === "string" ? [{ role: "user", content: input }] : [...input];
  const system: Message[] = agent.instructions ? [{ role: "system", content: agent.instructions }] : [];
  // The memories relevant to this input, as a system message after the instructions (agent-memory.ts).
  system.push(...(await recallMemories(agent, turn, runtime, prefix)));
  const state: LoopState = {
    messages: [...system, ...history, ...turn],
    toolCalls: [],
    iterations: 0,
    usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, totalTokens: 0 },
    text: "",
  };
  const entries = [...agent.tools, ...agent.toolSources, ...(options.extraTools ?? [])];
  const runTools =
    entries.length === agent.tools.length ? agent.tools : await resolveRunTools(agent.name, entries, runtime, prefix);
  const result = await loop(agent, runtime, emit, options.streaming, prefix, state, runTools);
  if (session) {
    const added = result.messages.slice(system.length + history.length);
    // The key makes the append exactly-once even where the call itself is not journaled.
    const appendOptions = { agent: agent.name, idempotencyKey: `${runtime.invocationId}:${prefix}:session:append` };
    if (direct) await direct.append(added, appendOptions);
    else {
      await runtime.step(`${prefix}:session:append`, async () => {
        await session.append(added, appendOptions);
        return null;
      });
    }
  }
  return result;
}

async function loop(
  agent: Agent<any>,
  runtime: AgentRuntime,
  emit: Emit,
  streaming: boolean,
  prefix: string,
  state: LoopState,
  runTools: readonly Tool[],
): Promise<AgentResult<any>> {
  const resolveModel = modelResolver(agent.model, agent.registry);
  const tools = new Map(runTools.map((tool) => [tool.name, tool]));
  const definitions = runTools.map((tool) => tool.definition);
  const { abortSignal } = runtime;
  let toolNumber = 0;

  for (let iteration = 0; iteration < agent.maxIterations; iteration++) {
    let live = false;
    const request: CallOptions = {
      messages: [...state.messages],
      ...(definitions.length > 0 ? { tools: definitions } : {}),
      ...(agent.outputJsonSchema === undefined
        ? {}
        : { responseFormat: { type: "json", schema: agent.outputJsonSchema, name: `${agent.name}_output` } }),
      ...(agent.temperature === undefined ? {} : { temperature: agent.temperature }),
      ...(agent.maxOutputTokens === undefined ? {} : { maxOutputTokens: agent.maxOutputTokens }),
      abortSignal,
    };
    let answer: GenerateResult;
    try {
      const recorded = await runtime.step(
        `${prefix}:llm:${iteration}`,
        async () => {
          live = true;
          const onDelta = streaming
            ? (delta: string) => emit({ type: "response", agent: agent.name, content: delta })
            : undefined;
          try {
            const model = await resolveModel();
            const result = await callModel(model, request, runtime.journaled ? 0 : 2, onDelta);
            // The entry keeps the prompt and the model beside the answer (the admin API shows them).
            return withRecordedPrompt(result, request.messages, `${model.provider}/${model.modelId}`);
          } catch (error) {
            throw modelStepError(error, abortSignal);
          }
        },
        agent.modelRetry,
      );
      answer = withoutRecordedPrompt<GenerateResult>(recorded);
    } catch (error) {
      if (abortSignal.aborted || !StepFailedError.isInstance(error)) throw error;
      emit({ type: "error", agent: agent.name, error: error.message, code: error.code });
      return { ...snapshot(agent, state), status: "failed", error: { code: error.code, message: error.message } };
    }
    if (streaming && !live && answer.text) emit({ type: "response", agent: agent.name, content: answer.text });
    state.iterations++;
    state.usage = addUsage(state.usage, answer.usage);
    state.text = answer.text;
    state.messages.push({ role: "assistant", content: answer.content });

    if (answer.toolCalls.length === 0) {
      if (agent.outputSchema === undefined)
        return { ...snapshot(agent, state), status: "completed", output: answer.text };
      try {
        return {
          ...snapshot(agent, state),
          status: "completed",
          output: parseStructuredOutput(agent.outputSchema, answer.text),
        };
      } catch (error) {
        // Told what was wrong, the model answers again (this counts as an iteration).
        const problem = error instanceof Error ? error.message : String(error);
        emit({ type: "error", agent: agent.name, error: problem, code: "INVALID_OUTPUT" });
        state.messages.push({
          role: "user",
          content: `Your answer does not match the required output schema: ${problem}. Answer again with only the JSON.`,
        });
        continue;
      }
    }

    if (answer.text) emit({ type: "thinking", agent: agent.name, iteration, content: answer.text });
    const results: ToolResultPart[] = [];
    const pending: PendingApproval[] = [];
    for (const call of answer.toolCalls) {
      const entryName = `${prefix}:tool:${call.toolName}:${toolNumber++}`;
      emit({
        type: "tool_call",
        agent: agent.name,
        toolCallId: call.toolCallId,
        toolName: call.toolName,
        arguments: call.input,
      });
      const tool = tools.get(call.toolName);
      if (tool instanceof AgentTool) {
        return handOff(tool, call, runtime, emit, streaming, agent, state, results);
      }
      const record: AgentToolCall = {
        id: call.toolCallId,
        name: call.toolName,
        arguments: call.input,
        agent: agent.name,
      };
      const outcome = await runToolCall(agent, tool, call, entryName, runtime, emit, state, record, tools);
      if (outcome === "pending") {
        pending.push({
          name: entryName,
          toolCallId: call.toolCallId,
          toolName: call.toolName,
          arguments: call.input,
          agent: agent.name,
        });
        continue;
      }
      state.toolCalls.push(record);
      emit({
        type: "tool_result",
        agent: agent.name,
        toolCallId: call.toolCallId,
        toolName: call.toolName,
        ...(record.error === undefined ? { result: record.result } : { error: record.error }),
      });
      results.push({
        type: "tool-result",
        toolCallId: call.toolCallId,
        toolName: call.toolName,
        output: record.error ?? record.result,
        ...(record.error === undefined ? {} : { isError: true }),
      });
    }
    if (results.length > 0) state.messages.push({ role: "tool", content: results });
    if (pending.length > 0)
      return { ...snapshot(agent, state), status: "awaiting_approval", pendingApprovals: pending };
  }
  return { ...snapshot(agent, state), status: "max_iterations" };
}

/** Checks, confirms and runs one call, filling `record`; "pending" when a decision is needed and cannot be waited for here. */
async function runToolCall(
  agent: Agent<any>,
  tool: Tool | undefined,
  call: ToolCall,
  entryName: string,
  runtime: AgentRuntime,
  emit: Emit,
  state: LoopState,
  record: AgentToolCall,
  tools: Map<string, Tool>,
): Promise<"done" | "pending"> {
  if (!tool) {
    record.error = `Unknown tool "${call.toolName}". Available tools: ${[...tools.keys()].join(", ") || "none"}.`;
    return "done";
  }
  const checked = tool.validate(call.input);
  if (!checked.ok) {
    record.error = checked.message;
    return "done";
  }
  let input = checked.value;
  if (tool.confirmation) {
    const request = { agent: agent.name, tool: tool.name, toolCallId: call.toolCallId, arguments: call.input };
    emit({
      type: "approval_requested",
      agent: agent.name,
      name: entryName,
      toolCallId: call.toolCallId,
      toolName: tool.name,
      arguments: call.input,
    });
    const waiting = runtime.approval(entryName, { payload: request, requiredRoles: tool.approverRoles });
    if (waiting === undefined) return "pending";
    let decision: ApprovalDecision;
    try {
      decision = await waiting;
    } catch (error) {
      // A local durable context (a handler called directly) has no approvals: the run stops and waits.
      if (TerminalError.isInstance(error) && error.code === "NOT_IN_WORKER") return "pending";
      throw error;
    }
    record.approval = decision;
    if (!decision.approved) {
      const comment = decision.comment ? `: ${decision.comment}` : "";
      record.error = `The call was rejected by ${decision.by}${comment}. Do not retry it; tell the user or find another way.`;
      return "done";
    }
    if (decision.edits !== undefined) {
      record.editedArguments = decision.edits;
      const edited = tool.validate(decision.edits);
      if (!edited.ok) {
        record.error = `The approver's edited arguments are invalid: ${edited.message}`;
        return "done";
      }
      input = edited.value;
    }
  }
  const idempotencyKey = `${runtime.invocationId}:${entryName}`;
  const messages = [...state.messages];
  let attempt = 0;
  try {
    if (tool instanceof ChildInvocationTool && runtime.journaled && runtime.ctx) {
      // A hosted tool's call is a child invocation: its own journal entry, retried by the coordinator.
      const output = await runtime.ctx.task(tool.service, tool.handler, input);
      record.result = output === undefined ? null : output;
      return "done";
    }
    record.result = await runtime.step(
      entryName,
      async () => {
        attempt++;
        const ctx: ToolContext = {
          toolName: tool.name,
          toolCallId: call.toolCallId,
          agentName: agent.name,
          runId: runtime.runId,
          idempotencyKey,
          attempt,
          messages,
          abortSignal: runtime.abortSignal,
          logger: runtime.logger,
          ...(agent.memory === undefined ? {} : { memory: agent.memory }),
        };
        const output = await tool.run(input, ctx);
        return output === undefined ? null : output;
      },
      tool.retry ?? { maxAttempts: 1 },
    );
  } catch (error) {
    if (runtime.abortSignal.aborted || !(StepFailedError.isInstance(error) || TaskFailedError.isInstance(error))) {
      throw error;
    }
    record.error = `Tool "${tool.name}" failed: ${error.message}`;
  }
  return "done";
}

/** The specialist takes over with the conversation's text; its result is the run's. */
async function handOff(
  tool: AgentTool,
  call: ToolCall,
  runtime: AgentRuntime,
  emit: Emit,
  streaming: boolean,
  agent: Agent<any>,
  state: LoopState,
  results: ToolResultPart[],
): Promise<AgentResult<any>> {
  const target = tool.targetAgent;
  emit({ type: "handoff", from: agent.name, to: target.name });
  const output = `Transferred to ${target.name}`;
  state.toolCalls.push({
    id: call.toolCallId,
    name: call.toolName,
    arguments: call.input,
    result: output,
    agent: agent.name,
  });
  emit({
    type: "tool_result",
    agent: agent.name,
    toolCallId: call.toolCallId,
    toolName: call.toolName,
    result: output,
  });
  state.messages.push({
    role: "tool",
    content: [...results, { type: "tool-result", toolCallId: call.toolCallId, toolName: call.toolName, output }],
  });
  const transcript = state.messages.flatMap(conversationText);
  const specialist = await runAgentLoop(target, transcript, runtime, emit, { streaming, session: undefined });
  const ownSystem = leadingSystemMessages(specialist.messages);
  return {
    ...specialist,
    messages: [...state.messages, ...specialist.messages.slice(ownSystem + transcript.length)],
    toolCalls: [...state.toolCalls, ...specialist.toolCalls],
    iterations: state.iterations + specialist.iterations,
    usage: addUsage(state.usage, specialist.usage),
  };
}

/** User messages and the assistant's text (tool traffic dropped): what a specialist sees of the conversation it takes over. */
function conversationText(message: Message): Message[] {
  if (message.role === "user") return [message];
  if (message.role !== "assistant") return [];
  const text =
    typeof message.content === "string"
      ? message.content
      : message.content.flatMap((part) => (part.type === "text" ? [part.text] : [])).join("");
  return text === "" ? [] : [{ role: "assistant", content: text }];
}

function snapshot(agent: Agent<any>, state: LoopState) {
  return {
    agent: agent.name,
    text: state.text,
    messages: state.messages,
    toolCalls: state.toolCalls,
    iterations: state.iterations,
    usage: state.usage,
  };
}

function addUsage(a: Usage, b: Usage): Usage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cachedInputTokens: a.cachedInputTokens + b.cachedInputTokens,
    totalTokens: a.totalTokens + b.totalTokens,
  };
}
