import { OpenAI } from "openai";
import {
  baseClientOptions,
  createFamilyProvider,
  joinURL,
  loadSetting,
  type OpenAIFamilyProvider,
  type OpenAIFamilyProviderSettings,
} from "./openai-family-provider.js";

export interface OpenRouterProviderSettings extends OpenAIFamilyProviderSettings {
  /** Defaults to https://openrouter.ai/api/v1. */
  baseURL?: string;
  /** Your app's name for OpenRouter's rankings (sent as X-Title). */
  appName?: string;
  /** Your app's URL for OpenRouter's rankings (sent as HTTP-Referer). */
  appUrl?: string;
}

export type OpenRouterProvider = OpenAIFamilyProvider;

/**
 * OpenRouter's OpenAI-compatible API; model ids are OpenRouter's ("anthropic/claude-sonnet-4").
 * The key comes from `apiKey` or OPENROUTER_API_KEY, read at the first request.
 */
export function createOpenRouter(settings: OpenRouterProviderSettings = {}): OpenRouterProvider {
  const headers: Record<string, string> = {
    ...(settings.appUrl === undefined ? {} : { "HTTP-Referer": settings.appUrl }),
    ...(settings.appName === undefined ? {} : { "X-Title": settings.appName }),
    ...settings.headers,
  };
  return createFamilyProvider({
    name: settings.name ?? "openrouter",
    maxTokensParameter: settings.maxTokensParameter ?? "max_tokens",
    structuredOutputs: settings.structuredOutputs ?? true,
    embeddings: true,
    createClient: () =>
      new OpenAI({
        ...baseClientOptions({ ...settings, headers }),
        apiKey: loadSetting({
          value: settings.apiKey,
          envVar: "OPENROUTER_API_KEY",
          setting: "apiKey",
          factory: "createOpenRouter",
          description: "The OpenRouter API key",
        }),
        baseURL: settings.baseURL ?? "https://openrouter.ai/api/v1",
      }),
    url: (client, path) => joinURL(client.baseURL, path),
  });
}

/** The default OpenRouter provider (OPENROUTER_API_KEY, read at the first request). */
export const openrouter: OpenRouterProvider = /* @__PURE__ */ createOpenRouter();
