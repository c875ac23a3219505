/**
 * @agnt5/openai: the @agnt5/llm LanguageModelV1 / EmbeddingModelV1 contract on the official `openai`
 * SDK (Chat Completions and Embeddings), for OpenAI and every server that speaks its wire format.
 */
export { agnt5Providers } from "./agnt5-providers.js";
export {
  type AzureOpenAIProvider,
  type AzureOpenAIProviderSettings,
  azure,
  createAzureOpenAI,
  DEFAULT_AZURE_OPENAI_API_VERSION,
} from "./azure-openai-provider.js";
export { createGroq, type GroqProvider, type GroqProviderSettings, groq } from "./groq-provider.js";
export type { OpenAIChatProviderOptions } from "./openai-chat-options.js";
export {
  createOpenAICompatible,
  type OpenAICompatibleProvider,
  type OpenAICompatibleProviderSettings,
} from "./openai-compatible-provider.js";
export type { MaxTokensParameter } from "./openai-config.js";
export type { OpenAIEmbeddingProviderOptions } from "./openai-embedding-model.js";
export type {
  OpenAIFamilyChatProvider,
  OpenAIFamilyProvider,
  OpenAIFamilyProviderSettings,
} from "./openai-family-provider.js";
export { createOpenAI, type OpenAIProvider, type OpenAIProviderSettings, openai } from "./openai-provider.js";
export {
  createOpenRouter,
  type OpenRouterProvider,
  type OpenRouterProviderSettings,
  openrouter,
} from "./openrouter-provider.js";
