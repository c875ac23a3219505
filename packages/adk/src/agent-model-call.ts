import { Agnt5Error, TerminalError } from "@agnt5/core";
import {
  type CallOptions,
  type GenerateResult,
  isRetryableLlmError,
  type LanguageModel,
  type LanguageModelV1,
  type ProviderRegistry,
  resolveLanguageModel,
  retryWithBackoff,
  type StreamPart,
  type TextPart,
  type ToolCall,
  type ToolCallPart,
  type Usage,
} from "@agnt5/llm";

/** Resolves the agent's model once per run. */
export function modelResolver(
  model: LanguageModel,
  registry: ProviderRegistry | undefined,
): () => Promise<LanguageModelV1> {
  let resolved: Promise<LanguageModelV1> | undefined;
  return () => {
    resolved ??= resolveLanguageModel(model, registry === undefined ? {} : { registry });
    return resolved;
  };
}

/**
 * One model call. With `onDelta` it streams (text deltas passed on as they arrive) and aggregates the
 * parts into the same GenerateResult generate() returns. `retries` are in-process retries of a
 * retryable error (0 inside a journal, where the step's policy retries instead).
 */
export async function callModel(
  model: LanguageModelV1,
  options: CallOptions,
  retries: number,
  onDelta: ((text: string) => void) | undefined,
): Promise<GenerateResult> {
  const attempt = () => (onDelta ? streamAndCollect(model, options, onDelta) : model.generate(options));
  return retryWithBackoff(attempt, {
    maxRetries: retries,
    ...(options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal }),
  });
}

/**
 * How a failed model call fails its journal entry: an error the provider marked non-retryable (auth,
 * invalid request, unknown model) as a TerminalError with its code, so the step does not retry what
 * cannot succeed; anything else as it is, for the step's policy to retry.
 */
export function modelStepError(error: unknown, abortSignal: AbortSignal): unknown {
  if (abortSignal.aborted) return abortSignal.reason;
  if (!Agnt5Error.isInstance(error) || TerminalError.isInstance(error) || isRetryableLlmError(error)) return error;
  return new TerminalError(error.message, { code: error.code, cause: error, details: error.details });
}

async function streamAndCollect(
  model: LanguageModelV1,
  options: CallOptions,
  onDelta: (text: string) => void,
): Promise<GenerateResult> {
  let text = "";
  const content: Array<TextPart | ToolCallPart> = [];
  const toolCalls: ToolCall[] = [];
  let finish: Extract<StreamPart, { type: "finish" }> | undefined;
  let usage: Usage | undefined;
  for await (const part of await model.stream(options)) {
    if (part.type === "error") throw part.error;
    if (part.type === "text-delta") {
      text += part.delta;
      const last = content[content.length - 1];
      if (last?.type === "text") last.text += part.delta;
      else content.push({ type: "text", text: part.delta });
      onDelta(part.delta);
    } else if (part.type === "tool-call-end") {
      const call = { toolCallId: part.toolCallId, toolName: part.toolName, input: part.input };
      toolCalls.push(call);
      content.push({ type: "tool-call", ...call });
    } else if (part.type === "usage") usage = part.usage;
    else if (part.type === "finish") finish = part;
  }
  return {
    text,
    content,
    toolCalls,
    finishReason: finish?.finishReason ?? (toolCalls.length > 0 ? "tool-calls" : "stop"),
    ...(finish?.rawFinishReason === undefined ? {} : { rawFinishReason: finish.rawFinishReason }),
    usage: finish?.usage ?? usage ?? { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, totalTokens: 0 },
  };
}
