import type { Usage } from "@agnt5/llm";

/** The usage fields of a Messages response, `message_start` or `message_delta` event. */
export interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

/**
 * Anthropic counts `input_tokens` *after* the last cache breakpoint: tokens read from the cache and
 * tokens written to it are reported apart. The contract's `inputTokens` is every input token (as
 * OpenAI reports it), so it is the sum of the three; `cachedInputTokens` is the cache reads.
 */
export function convertAnthropicUsage(usage: AnthropicUsage | null | undefined): Usage {
  const cacheRead = usage?.cache_read_input_tokens ?? 0;
  const cacheWrite = usage?.cache_creation_input_tokens ?? 0;
  const inputTokens = (usage?.input_tokens ?? 0) + cacheRead + cacheWrite;
  const outputTokens = usage?.output_tokens ?? 0;
  return { inputTokens, outputTokens, cachedInputTokens: cacheRead, totalTokens: inputTokens + outputTokens };
}

/** Later events repeat or update earlier counts; a null or absent field keeps the earlier value. */
export function mergeAnthropicUsage(base: AnthropicUsage, update: AnthropicUsage | null | undefined): AnthropicUsage {
  const merged: AnthropicUsage = { ...base };
  if (!update) return merged;
  for (const key of [
    "input_tokens",
    "output_tokens",
    "cache_creation_input_tokens",
    "cache_read_input_tokens",
  ] as const) {
    const value = update[key];
    if (typeof value === "number") merged[key] = value;
  }
  return merged;
}
