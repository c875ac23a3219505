import { registerAdapterProviders } from "@agnt5/llm";
import { createAzureOpenAI } from "./azure-openai-provider.js";
import { createGroq } from "./groq-provider.js";
import { createOpenAICompatible } from "./openai-compatible-provider.js";
import { createOpenAI } from "./openai-provider.js";
import { createOpenRouter } from "./openrouter-provider.js";

/**
 * The factories the @agnt5/llm model-string resolver looks up by provider name
 * ("openai/gpt-4.1-mini", "groq/llama-3.3-70b-versatile", "azure/<deployment>", ...). Each takes
 * optional settings and falls back to its environment variables at the first request.
 */
export const agnt5Providers = {
  openai: createOpenAI,
  groq: createGroq,
  openrouter: createOpenRouter,
  azure: createAzureOpenAI,
  "openai-compatible": createOpenAICompatible,
} as const;

// Importing this package (`import "@agnt5/openai"`) is what enables these model strings: @agnt5/llm
// names no adapter. Registering reads no environment variable and creates no client.
registerAdapterProviders(agnt5Providers);
