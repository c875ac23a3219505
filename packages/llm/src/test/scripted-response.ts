import type {
  FinishReason,
  GenerateResult,
  StreamPart,
  TextPart,
  ToolCall,
  ToolCallPart,
  Usage,
} from "../language-model-v1/language-model-v1.js";

export interface ScriptedToolCall {
  toolName: string;
  input: unknown;
  /** Default "call_<call number>_<position>". */
  toolCallId?: string;
}

interface ScriptedMeta {
  usage?: Partial<Usage>;
  finishReason?: FinishReason;
  rawFinishReason?: string;
}

/**
 * What a scripted call answers, for generate() and stream() alike:
 * - `{ text }` and/or `{ toolCalls }`: an answer (streamed as deltas, tool-call parts and a finish);
 * - `{ object }`: structured output (its JSON is the text);
 * - `{ parts }`: exactly these stream parts (generate() aggregates them); with `error`, thrown after them;
 * - `{ error }`: thrown by the call.
 */
export type ScriptedResponse =
  | ({ text?: string; toolCalls?: ScriptedToolCall[] } & ScriptedMeta)
  | ({ object: unknown } & ScriptedMeta)
  | { parts: StreamPart[]; error?: unknown }
  | { error: unknown };

const RESPONSE_KEYS = ["text", "toolCalls", "object", "parts", "error"];

export function isScriptedResponse(value: object): value is ScriptedResponse {
  return RESPONSE_KEYS.some((key) => key in value);
}

function usageOf(partial: Partial<Usage> | undefined): Usage {
  const inputTokens = partial?.inputTokens ?? 0;
  const outputTokens = partial?.outputTokens ?? 0;
  return {
    inputTokens,
    outputTokens,
    cachedInputTokens: partial?.cachedInputTokens ?? 0,
    totalTokens: partial?.totalTokens ?? inputTokens + outputTokens,
  };
}

/** The GenerateResult of a response (throws its error). */
export function toGenerateResult(response: ScriptedResponse, callNumber: number): GenerateResult {
  if ("parts" in response) return aggregate(response.parts, response.error);
  if ("error" in response) throw response.error;
  const text = "object" in response ? JSON.stringify(response.object) : (response.text ?? "");
  const toolCalls: ToolCall[] = ("toolCalls" in response ? (response.toolCalls ?? []) : []).map((call, position) => ({
    toolCallId: call.toolCallId ?? `call_${callNumber}_${position + 1}`,
    toolName: call.toolName,
    input: call.input,
  }));
  const content: Array<TextPart | ToolCallPart> = [
    ...(text ? [{ type: "text" as const, text }] : []),
    ...toolCalls.map((call) => ({ type: "tool-call" as const, ...call })),
  ];
  return {
    text,
    content,
    toolCalls,
    finishReason: response.finishReason ?? (toolCalls.length > 0 ? "tool-calls" : "stop"),
    ...(response.rawFinishReason === undefined ? {} : { rawFinishReason: response.rawFinishReason }),
    usage: usageOf(response.usage),
  };
}

/** The stream parts of a response, and the error to throw after them. */
export function toStreamParts(
  response: ScriptedResponse,
  callNumber: number,
): { parts: StreamPart[]; error?: { value: unknown } } {
  if ("parts" in response) {
    return { parts: response.parts, ...("error" in response ? { error: { value: response.error } } : {}) };
  }
  const result = toGenerateResult(response, callNumber);
  const parts: StreamPart[] = result.text ? [{ type: "text-delta", delta: result.text }] : [];
  for (const call of result.toolCalls) {
    parts.push(
      { type: "tool-call-start", toolCallId: call.toolCallId, toolName: call.toolName },
      { type: "tool-call-delta", toolCallId: call.toolCallId, argumentsDelta: JSON.stringify(call.input) },
      { type: "tool-call-end", toolCallId: call.toolCallId, toolName: call.toolName, input: call.input },
    );
  }
  parts.push({
    type: "finish",
    finishReason: result.finishReason,
    ...(result.rawFinishReason === undefined ? {} : { rawFinishReason: result.rawFinishReason }),
    usage: result.usage,
  });
  return { parts };
}

function aggregate(parts: StreamPart[], error: unknown): GenerateResult {
  let text = "";
  const toolCalls: ToolCall[] = [];
  const content: Array<TextPart | ToolCallPart> = [];
  let finish: Extract<StreamPart, { type: "finish" }> | undefined;
  let usage: Usage | undefined;
  for (const part of parts) {
    if (part.type === "error") throw part.error;
    if (part.type === "text-delta") {
      text += part.delta;
      const last = content[content.length - 1];
      if (last?.type === "text") last.text += part.delta;
      else content.push({ type: "text", text: part.delta });
    } else if (part.type === "tool-call-end") {
      const call = { toolCallId: part.toolCallId, toolName: part.toolName, input: part.input };
      toolCalls.push(call);
      content.push({ type: "tool-call", ...call });
    } else if (part.type === "usage") usage = part.usage;
    else if (part.type === "finish") finish = part;
  }
  if (error !== undefined) throw error;
  return {
    text,
    content,
    toolCalls,
    finishReason: finish?.finishReason ?? "other",
    ...(finish?.rawFinishReason === undefined ? {} : { rawFinishReason: finish.rawFinishReason }),
    usage: finish?.usage ?? usage ?? usageOf(undefined),
  };
}
