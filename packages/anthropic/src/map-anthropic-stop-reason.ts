import type { FinishReason } from "@agnt5/llm";

/**
 * Anthropic `stop_reason` → contract finish reason. `tool_use` is "tool-calls" unless the only tool
 * called was the structured-output tool, which is the model's final answer ("stop").
 */
export function mapAnthropicStopReason(
  stopReason: string | null | undefined,
  options: { isJsonResponse?: boolean } = {},
): FinishReason {
  switch (stopReason) {
    case "end_turn":
    case "stop_sequence":
    case "pause_turn":
      return "stop";
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "tool_use":
      return options.isJsonResponse ? "stop" : "tool-calls";
    case "refusal":
      return "content-filter";
    default:
      return "other";
  }
}
