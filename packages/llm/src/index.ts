/**
 * @agnt5/llm: the LanguageModel contract (v1) with no vendor SDK in it, and what is built on it:
 * generateText, streamText, generateObject, embed; retries with backoff; fallback chains; model
 * strings ("openai/gpt-4o-mini") resolved through a provider registry; ctx.llm for durable handlers.
 * Provider adapters live in their own packages (@agnt5/openai, @agnt5/anthropic, @agnt5/bedrock), which
 * depend on this one: install the one you use and import it once, which registers its providers for
 * model strings. Test doubles: @agnt5/llm/test.
 */
export * from "./language-model-v1/language-model-v1.js";
export * from "./language-model-v1/llm-errors.js";
export type { Agnt5ProvidersModule, ProviderFactory, ProviderOptions } from "./language-model-v1/provider-factory.js";
export { registerAdapterProviders } from "./llm-adapter-providers.js";
export type { ModelCallSettings } from "./llm-call-settings.js";
export {
  attachLlmContext,
  createLlmContext,
  getLlmContext,
  type LlmContext,
  type LlmGenerateObjectOptions,
  type LlmGenerateOptions,
  type LlmHost,
  type LlmStepOptions,
  type LlmStreamOptions,
} from "./llm-context.js";
export {
  type EmbedManyOptions,
  type EmbedManyResult,
  type EmbedOneOptions,
  type EmbedOneResult,
  embed,
  embedMany,
} from "./llm-embed.js";
export { type FallbackOptions, fallback } from "./llm-fallback-model.js";
export {
  type GenerateObjectOptions,
  type GenerateObjectResult,
  generateObject,
  parseStructuredOutput,
} from "./llm-generate-object.js";
export {
  type GenerateTextOptions,
  type GenerateTextResult,
  type GenerateTextStep,
  generateText,
} from "./llm-generate-text.js";
export {
  type EmbeddingModel,
  type LanguageModel,
  type ResolveModelOptions,
  resolveEmbeddingModel,
  resolveLanguageModel,
} from "./llm-model-resolver.js";
export { type ModelStringParts, parseModelString } from "./llm-model-string.js";
export type { PromptOptions } from "./llm-prompt.js";
export {
  createProviderRegistry,
  defaultProviderRegistry,
  type ProviderRegistry,
  type ProviderRegistryOptions,
  registerProvider,
} from "./llm-provider-registry.js";
export {
  MAX_RECORDED_PROMPT_CHARS,
  type RecordedPrompt,
  withoutRecordedPrompt,
  withRecordedPrompt,
} from "./llm-recorded-prompt.js";
export { isRetryableLlmError, type RetryOptions, retryWithBackoff } from "./llm-retry.js";
export { type StreamTextOptions, type StreamTextResult, streamText } from "./llm-stream-text.js";
export {
  type NamedTool,
  type Tool,
  type ToolExecutionOptions,
  type ToolSet,
  type ToolsOption,
  tool,
  toToolDefinitions,
  toToolSet,
} from "./llm-tools.js";
export { parseRetryAfterMs } from "./provider-utils/retry-after.js";
