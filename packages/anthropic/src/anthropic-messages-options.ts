import type { Model } from "@anthropic-ai/sdk/resources/messages";

/** A Claude model id: the SDK's known ids, or any other string. */
export type AnthropicMessagesModelId = Model;

/** `max_tokens` when neither the call nor the model settings give one (Anthropic requires it). */
export const DEFAULT_MAX_OUTPUT_TOKENS = 4096;

/** Settings fixed for one model: `anthropic.languageModel("claude-sonnet-5-5", { maxOutputTokens: 8192 })`. */
export interface AnthropicLanguageModelSettings {
  /** Default `max_tokens` for this model's calls (a call's `maxOutputTokens` wins). */
  maxOutputTokens?: number;
}

/**
 * `providerOptions.anthropic` (or under the provider's `name`) on a call. Unknown keys are ignored.
 */
export interface AnthropicProviderOptions {
  /** Ask for at most one tool call per turn (`tool_choice.disable_parallel_tool_use`). */
  disableParallelToolUse?: boolean;
  /** `metadata.user_id`: an opaque id for abuse detection. */
  userId?: string;
  /**
   * `top_k`. Like `temperature` and `topP`, sent only when the request pins
   * `anthropic-version: 2023-06-01` (API version 2026-10-21 rejects sampling parameters).
   */
  topK?: number;
}

export function parseAnthropicProviderOptions(
  providerOptions: Record<string, Record<string, unknown>> | undefined,
  provider: string,
): AnthropicProviderOptions {
  const raw = { ...providerOptions?.anthropic, ...(provider === "anthropic" ? {} : providerOptions?.[provider]) };
  const options: AnthropicProviderOptions = {};
  if (typeof raw.disableParallelToolUse === "boolean") options.disableParallelToolUse = raw.disableParallelToolUse;
  if (typeof raw.userId === "string") options.userId = raw.userId;
  if (typeof raw.topK === "number") options.topK = raw.topK;
  return options;
}
