/**
 * @agnt5/anthropic: Claude through Anthropic's Messages API, as an AGNT5 LanguageModel v1, built on
 * the official @anthropic-ai/sdk (1.x). Language models only: Anthropic has no embeddings API.
 *
 *   import { anthropic } from "@agnt5/anthropic";
 *   const model = anthropic.languageModel("claude-sonnet-5-5");
 */
import { registerAdapterProviders } from "@agnt5/llm";
import { createAnthropic } from "./anthropic-provider.js";

export { AnthropicMessagesLanguageModel } from "./anthropic-messages-language-model.js";
export {
  type AnthropicLanguageModelSettings,
  type AnthropicMessagesModelId,
  type AnthropicProviderOptions,
  DEFAULT_MAX_OUTPUT_TOKENS,
} from "./anthropic-messages-options.js";
export { JSON_RESPONSE_TOOL_NAME } from "./anthropic-prepare-tools.js";
export {
  ANTHROPIC_API_KEY_ENV,
  ANTHROPIC_BASE_URL_ENV,
  type AnthropicProvider,
  type AnthropicProviderSettings,
  anthropic,
  createAnthropic,
  DEFAULT_ANTHROPIC_BASE_URL,
} from "./anthropic-provider.js";

/** The resolver convention: "anthropic/claude-sonnet-5-5" → agnt5Providers.anthropic().languageModel(...). */
export const agnt5Providers = { anthropic: createAnthropic };

// Importing this package (`import "@agnt5/anthropic"`) is what enables "anthropic/..." model strings:
// @agnt5/llm names no adapter. Registering reads no environment variable and creates no client.
registerAdapterProviders(agnt5Providers);
