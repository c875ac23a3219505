/** Converse responses → GenerateResult; the finish-reason and usage mappings shared with streams. */
import type { FinishReason, GenerateResult, TextPart, ToolCall, ToolCallPart, Usage } from "@agnt5/llm";
import type { ConverseCommandOutput, TokenUsage } from "@aws-sdk/client-bedrock-runtime";

/**
 * end_turn / stop_sequence → stop, max_tokens / model_context_window_exceeded → length,
 * tool_use → tool-calls, content_filtered / guardrail_intervened → content-filter,
 * malformed_model_output / malformed_tool_use → error, anything else → other.
 */
export function toFinishReason(stopReason: string | undefined): FinishReason {
  switch (stopReason) {
    case "end_turn":
    case "stop_sequence":
      return "stop";
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "tool_use":
      return "tool-calls";
    case "content_filtered":
    case "guardrail_intervened":
      return "content-filter";
    case "malformed_model_output":
    case "malformed_tool_use":
      return "error";
    default:
      return "other";
  }
}

export const EMPTY_USAGE: Usage = Object.freeze({
  inputTokens: 0,
  outputTokens: 0,
  cachedInputTokens: 0,
  totalTokens: 0,
});

/**
 * Bedrock reports `inputTokens` *without* the tokens read from or written to the prompt cache; the
 * contract's `inputTokens` is every input token, so the cache counts are added back in and
 * `cachedInputTokens` is `cacheReadInputTokens`.
 */
export function toUsage(usage: TokenUsage | undefined): Usage {
  if (usage === undefined) return { ...EMPTY_USAGE };
  const cacheRead = usage.cacheReadInputTokens ?? 0;
  const inputTokens = (usage.inputTokens ?? 0) + cacheRead + (usage.cacheWriteInputTokens ?? 0);
  const outputTokens = usage.outputTokens ?? 0;
  return { inputTokens, outputTokens, cachedInputTokens: cacheRead, totalTokens: inputTokens + outputTokens };
}

export function toGenerateResult(
  output: ConverseCommandOutput,
  context: { modelId: string; jsonToolName: string | undefined; warnings: string[] },
): GenerateResult {
  const content: Array<TextPart | ToolCallPart> = [];
  const toolCalls: ToolCall[] = [];
  let jsonAnswer: TextPart | undefined;
  for (const block of output.output?.message?.content ?? []) {
    if (block.text !== undefined) {
      content.push({ type: "text", text: block.text });
    } else if (block.toolUse !== undefined) {
      const { toolUseId, name, input } = block.toolUse;
      if (name === context.jsonToolName && context.jsonToolName !== undefined) {
        jsonAnswer = { type: "text", text: JSON.stringify(input ?? {}) };
        content.push(jsonAnswer);
        continue;
      }
      const call = { toolCallId: toolUseId ?? "", toolName: name ?? "", input: input ?? {} };
      toolCalls.push(call);
      content.push({ type: "tool-call", ...call });
    }
    // reasoningContent, citations, images, ...: not part of the v1 contract.
  }
  // With structured output on a forced tool the answer *is* that tool's input: any text the model
  // wrote around it would make the text unparseable, so only the JSON is kept.
  const finalContent =
    jsonAnswer === undefined ? content : content.filter((part) => part.type !== "text" || part === jsonAnswer);
  const rawFinishReason = output.stopReason;
  const finishReason =
    jsonAnswer !== undefined && toolCalls.length === 0 && rawFinishReason === "tool_use"
      ? "stop"
      : toFinishReason(rawFinishReason);
  const requestId = output.$metadata?.requestId;
  return {
    text: finalContent
      .filter((part): part is TextPart => part.type === "text")
      .map((part) => part.text)
      .join(""),
    content: finalContent,
    toolCalls,
    finishReason,
    ...(rawFinishReason === undefined ? {} : { rawFinishReason }),
    usage: toUsage(output.usage),
    response: { ...(requestId === undefined ? {} : { id: requestId }), modelId: context.modelId },
    ...(context.warnings.length > 0 ? { warnings: context.warnings } : {}),
  };
}
