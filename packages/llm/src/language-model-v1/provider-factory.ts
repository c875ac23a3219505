import type { ProviderV1 } from "./language-model-v1.js";

/**
 * What a provider factory accepts. Everything is optional: an adapter reads its API key and base URL
 * from the usual environment variables (OPENAI_API_KEY, ANTHROPIC_API_KEY, ...) when they are left out.
 * Provider-specific settings (Azure's apiVersion, Bedrock's region, ...) go next to these.
 */
export interface ProviderOptions {
  apiKey?: string;
  baseURL?: string;
  headers?: Record<string, string>;
  [setting: string]: unknown;
}

/** Creates a provider; `registerProvider(name, factory)` and adapter packages' `agnt5Providers` hold these. */
export type ProviderFactory = (options?: ProviderOptions) => ProviderV1;

/**
 * The convention every adapter package follows: it exports `agnt5Providers`, one factory per provider
 * name it serves (e.g. @agnt5/openai: `{ openai, groq, openrouter, azure, "openai-compatible" }`), and
 * registers them with registerAdapterProviders() when it is imported, so model strings resolve.
 */
export interface Agnt5ProvidersModule {
  agnt5Providers: Record<string, ProviderFactory>;
}
