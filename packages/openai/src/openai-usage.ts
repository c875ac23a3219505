import type { Usage } from "@agnt5/llm";
import type { CompletionUsage } from "openai/resources/completions";

/** Chat Completions usage → Usage (cached input tokens from `prompt_tokens_details.cached_tokens`). */
export function convertOpenAIUsage(usage: CompletionUsage | null | undefined): Usage {
  const inputTokens = usage?.prompt_tokens ?? 0;
  const outputTokens = usage?.completion_tokens ?? 0;
  return {
    inputTokens,
    outputTokens,
    cachedInputTokens: usage?.prompt_tokens_details?.cached_tokens ?? 0,
    totalTokens: usage?.total_tokens ?? inputTokens + outputTokens,
  };
}
