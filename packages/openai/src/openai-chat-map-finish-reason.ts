import type { FinishReason } from "@agnt5/llm";

/**
 * Chat Completions `finish_reason` → FinishReason. Some OpenAI-compatible servers answer "stop" next
 * to tool calls; a turn that produced tool calls always maps to "tool-calls".
 */
export function mapOpenAIFinishReason(finishReason: string | null | undefined, hasToolCalls: boolean): FinishReason {
  switch (finishReason) {
    case "stop":
      return hasToolCalls ? "tool-calls" : "stop";
    case "length":
      return "length";
    case "tool_calls":
    case "function_call":
      return "tool-calls";
    case "content_filter":
      return "content-filter";
    default:
      return hasToolCalls ? "tool-calls" : "other";
  }
}
