import type { ModelCall, RunTotals, TimelineEntry, ToolCall } from "@agnt5/admin-client";
import { isObject } from "./json-text.js";

/**
 * Model calls: steps named like @agnt5/llm's ("llm:<provider>/<model>") or @agnt5/adk's agent loop
 * ("<agent prefix>:llm:<iteration>"), or any step with ":model" in its name, whose result carries
 * `usage` (a GenerateResult, or a streamed `{ parts }` with a usage/finish part).
 */
const MODEL_STEP = /(^|:)llm(:|$)|:model/;
/** Tool runs: "tool:<name>" (@agnt5/llm generate with tools) and "<prefix>:tool:<name>:<n>" (@agnt5/adk). */
const TOOL_STEP = /(?:^|:)tool:(.+?)(?::\d+)?$/;

interface ModelAnswer {
  usage: { inputTokens?: unknown; outputTokens?: unknown };
  text: string;
  toolCalls: Array<{ toolCallId?: unknown; toolName?: unknown; input?: unknown }>;
  modelId: string | null;
}

export function modelCallsOf(timeline: readonly TimelineEntry[]): ModelCall[] {
  const calls: ModelCall[] = [];
  for (const entry of timeline) {
    if (entry.kind !== "step" || !MODEL_STEP.test(entry.name)) continue;
    const answer = modelAnswer(entry.result);
    if (!answer) continue;
    const recorded = isObject(entry.result) && isObject(entry.result.prompt) ? entry.result.prompt : {};
    calls.push({
      index: entry.index,
      name: entry.name,
      model: answer.modelId ?? modelFromName(entry.name) ?? stringOrNull(recorded.model),
      inputTokens: numberOrNull(answer.usage.inputTokens),
      outputTokens: numberOrNull(answer.usage.outputTokens),
      latencyMs: entry.durationMs,
      // @agnt5/llm and @agnt5/adk record the request's newest messages beside the answer
      // (withRecordedPrompt; absent from entries journaled before they did).
      prompt: recorded.messages ?? null,
      answer: answer.toolCalls.length > 0 ? { text: answer.text, toolCalls: answer.toolCalls } : answer.text,
    });
  }
  return calls;
}

/**
 * Tool calls: the entries of tool runs, with the arguments the model asked for (matched, per tool
 * name and in order, to the tool calls of the model answers before them; the approver's edits, if
 * any, are in the approval's decision).
 */
export function toolCallsOf(timeline: readonly TimelineEntry[]): ToolCall[] {
  const asked = new Map<string, unknown[]>();
  const calls: ToolCall[] = [];
  for (const entry of timeline) {
    if (entry.kind !== "step") continue;
    if (MODEL_STEP.test(entry.name)) {
      for (const call of modelAnswer(entry.result)?.toolCalls ?? []) {
        const name = String(call.toolName);
        asked.set(name, [...(asked.get(name) ?? []), call.input ?? null]);
      }
      continue;
    }
    const tool = TOOL_STEP.exec(entry.name)?.[1];
    if (tool === undefined) continue;
    const queue = asked.get(tool) ?? [];
    calls.push({
      index: entry.index,
      tool,
      arguments: queue.length > 0 ? queue.shift() : null,
      result: entry.result,
      error: entry.error,
    });
  }
  return calls;
}

export function totalsOf(calls: readonly ModelCall[]): RunTotals {
  return {
    modelCalls: calls.length,
    inputTokens: calls.reduce((sum, call) => sum + (call.inputTokens ?? 0), 0),
    outputTokens: calls.reduce((sum, call) => sum + (call.outputTokens ?? 0), 0),
  };
}

function modelAnswer(result: unknown): ModelAnswer | undefined {
  if (!isObject(result)) return undefined;
  if (isObject(result.usage)) {
    return {
      usage: result.usage,
      text: typeof result.text === "string" ? result.text : "",
      toolCalls: Array.isArray(result.toolCalls) ? result.toolCalls.filter(isObject) : [],
      modelId: isObject(result.response) ? stringOrNull(result.response.modelId) : null,
    };
  }
  // ctx.llm.stream records the parts it streamed.
  if (Array.isArray(result.parts)) {
    const parts = result.parts.filter(isObject);
    const usage = parts.findLast((part) => isObject(part.usage))?.usage;
    if (!isObject(usage)) return undefined;
    return {
      usage,
      text: parts
        .filter((part) => part.type === "text-delta")
        .map((part) => String(part.delta))
        .join(""),
      toolCalls: parts
        .filter((part) => part.type === "tool-call-end")
        .map((part) => ({ toolCallId: part.toolCallId, toolName: part.toolName, input: part.input })),
      modelId: null,
    };
  }
  return undefined;
}

/** "llm:openai/gpt-4o-mini" -> "openai/gpt-4o-mini"; agent-loop names carry no model. */
function modelFromName(name: string): string | null {
  return name.startsWith("llm:") ? name.slice("llm:".length) : null;
}

function numberOrNull(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}
